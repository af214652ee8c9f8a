import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createIdentityServer, type LocalIdentity } from 'cdk-local-cloud/testing';
import { readAuthorizerConfig } from '../../services/authorizer/config';
import { createAuthorizerHandler } from '../../services/authorizer/handler';
import { createPartnerClient } from '../../services/partner-clients/partner-clients-repository';
import { documentClient } from '../../shared/dynamo';
import { partnerClientKeys } from '../../shared/keys/partner-client-keys';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { putTenantProfile } from '../support/tenant-profiles';
import { TEST_ENV } from '../support/test-env';

const POOL_ID = 'us-east-1_PartnerPool1';
const SPA_CLIENT_ID = 'spaclient0000000000000001';
const TENANT = 'tpartnertenant001';
const SUSPENDED = 'tpartnersuspend01';
const API_KEY_VALUE = 'partnerTenantApiKeyValue0123456789abcdef';
const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/';

let engine: DynamoEngine;
let identity: LocalIdentity;
let idp: CognitoIdentityProviderClient;
let handler: (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/**
 * A partner's machine client: for a tenant as the operator's CLI and POST /partner-clients make it (services/partner-clients); for no tenant,
 * a client with the same settings and no binding.
 */
async function partnerClient(scopes: string[], tenantId?: string) {
  let clientId: string;
  let clientSecret: string;
  if (tenantId !== undefined && scopes.join(' ') === 'events/write') {
    ({ clientId, clientSecret } = await createPartnerClient({
      idp,
      documents: documentClient,
      userPoolId: POOL_ID,
      tableName: TEST_ENV.TABLE_NAME,
      tenantId,
      name: 'carrier',
    }));
  } else {
    const { UserPoolClient } = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: POOL_ID,
        ClientName: 'not-a-partner',
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: scopes,
        AllowedOAuthFlowsUserPoolClient: true,
      }),
    );
    clientId = UserPoolClient?.ClientId ?? '';
    clientSecret = UserPoolClient?.ClientSecret ?? '';
    if (tenantId !== undefined) {
      await documentClient.send(
        new PutCommand({
          TableName: TEST_ENV.TABLE_NAME,
          Item: { ...partnerClientKeys.binding(clientId), clientId, tenantId },
        }),
      );
    }
  }
  const response = await fetch(`${identity.endpoint}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const { access_token: token } = (await response.json()) as { access_token: string };
  return { clientId, token };
}

const event = (token: string, route = 'POST/events'): APIGatewayTokenAuthorizerEvent =>
  ({
    type: 'TOKEN',
    methodArn: `${PREFIX}${route}`,
    authorizationToken: `Bearer ${token}`,
  }) as APIGatewayTokenAuthorizerEvent;

beforeAll(async () => {
  engine = await startDynamo();
  identity = await createIdentityServer();
  // The pool as the stateful stack declares it: the events resource server with its write scope (and a read
  // scope here, to have a token without the partner scope).
  identity.registerModel({
    region: 'us-east-1',
    accountId: '123456789012',
    resources: [
      {
        stackName: 'S',
        logicalId: 'Pool',
        type: 'AWS::Cognito::UserPool',
        physicalId: POOL_ID,
        properties: {},
        attributes: {},
      },
      {
        stackName: 'S',
        logicalId: 'Events',
        type: 'AWS::Cognito::UserPoolResourceServer',
        physicalId: 'events',
        properties: {
          UserPoolId: POOL_ID,
          Identifier: 'events',
          Name: 'events',
          Scopes: [{ ScopeName: 'write' }, { ScopeName: 'read' }],
        },
        attributes: {},
      },
    ],
  });
  idp = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: identity.endpoint });
  handler = createAuthorizerHandler(
    readAuthorizerConfig({
      ...TEST_ENV,
      USER_POOL_CLIENT_ID: SPA_CLIENT_ID,
      ISSUER: identity.issuerUrl(POOL_ID),
      JWKS_URI: `${identity.issuerUrl(POOL_ID)}/.well-known/jwks.json`,
    }),
  );
  await putTenantProfile(TENANT, 'ACTIVE', { apiKeyValue: API_KEY_VALUE });
  await putTenantProfile(SUSPENDED, 'SUSPENDED', { apiKeyValue: API_KEY_VALUE });
}, 60_000);

afterAll(async () => {
  idp.destroy();
  await identity.close();
  await engine.stop();
});

describe("the authorizer admits partners' machine clients (client credentials, events/write) to POST /events", () => {
  it("allows POST /events only, for the tenant the client is bound to, metered by that tenant's API key", async () => {
    const { clientId, token } = await partnerClient(['events/write'], TENANT);
    const result = await handler(event(token));
    expect(result.principalId).toBe(clientId);
    expect(result.policyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [`${PREFIX}POST/events`] },
    ]);
    expect(result.context).toEqual({ tenantId: TENANT, userId: clientId, role: 'partner', tier: 'basic' });
    expect(result.usageIdentifierKey).toBe(API_KEY_VALUE);
  });

  it('the operator cannot bind a client to something that is not a tenant id', async () => {
    await expect(
      createPartnerClient({
        idp,
        documents: documentClient,
        userPoolId: POOL_ID,
        tableName: TEST_ENV.TABLE_NAME,
        tenantId: 'not-a-tenant',
        name: 'x',
      }),
    ).rejects.toThrow("'not-a-tenant' is not a tenant id");
  });

  it('refuses a token without the events/write scope', async () => {
    const { token } = await partnerClient(['events/read'], TENANT);
    await expect(handler(event(token))).rejects.toThrow('Unauthorized');
  });

  it('refuses a client bound to no tenant, and one whose tenant is suspended', async () => {
    const unbound = await partnerClient(['events/write']);
    await expect(handler(event(unbound.token))).rejects.toThrow('Unauthorized');
    const suspended = await partnerClient(['events/write'], SUSPENDED);
    await expect(handler(event(suspended.token))).rejects.toThrow('Unauthorized');
  });

  it('refuses an access token whose signature does not verify', async () => {
    const { token } = await partnerClient(['events/write'], TENANT);
    const [header, payload] = token.split('.');
    await expect(handler(event(`${header}.${payload}.AAAA`))).rejects.toThrow('Unauthorized');
  });
});
