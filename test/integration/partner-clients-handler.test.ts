import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readPartnerClientsConfig } from '../../services/partner-clients/config';
import { createPartnerClientsHandler } from '../../services/partner-clients/handler';
import { documentClient } from '../../shared/dynamo';
import { tenantId } from '../../shared/ids';
import { partnerClientKeys } from '../../shared/keys/partner-client-keys';
import { type LambdaAuthorizerContext, lambdaAuthorizerEvent } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type LocalControlPlanes, startLocalControlPlanes } from '../support/local-control-planes';
import { invoke, member } from '../support/orders-fixtures';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

const handler = createPartnerClientsHandler(
  readPartnerClientsConfig(TEST_ENV),
  undefined,
  UNSCOPED_TENANT_DATA,
);

// The handler runs against the local cloud's own Cognito (real HTTP, real SDK client and errors) and the embedded
// DynamoDB; aws-sdk-client-mock only injects the one fault those cannot produce (a failed binding write).
let engine: DynamoEngine;
let planes: LocalControlPlanes;
let idp: CognitoIdentityProviderClient;
beforeAll(async () => {
  engine = await startDynamo();
  planes = await startLocalControlPlanes({ userPoolId: TEST_ENV.USER_POOL_ID, usagePlans: [] });
  idp = new CognitoIdentityProviderClient({});
}, 30_000);
afterAll(async () => {
  idp?.destroy();
  await planes?.stop();
  await engine?.stop();
});

const admin = (tenant: string): LambdaAuthorizerContext => ({ ...member(tenant), role: 'admin' });

const createClient = (principal: LambdaAuthorizerContext, body: unknown) =>
  invoke(handler, lambdaAuthorizerEvent({ method: 'POST', resource: '/partner-clients', body }, principal));
const listClients = (principal: LambdaAuthorizerContext) =>
  invoke<{ items: Array<Record<string, unknown>> }>(
    handler,
    lambdaAuthorizerEvent({ method: 'GET', resource: '/partner-clients' }, principal),
  );

/** The names of every app client in the pool, to prove a request left none behind. */
async function poolClientNames(): Promise<string[]> {
  const { UserPoolClients } = await idp.send(
    new ListUserPoolClientsCommand({ UserPoolId: TEST_ENV.USER_POOL_ID, MaxResults: 60 }),
  );
  return (UserPoolClients ?? []).map((client) => client.ClientName ?? '');
}

/** Signs in as the machine client with the client-credentials grant, as a partner would. */
async function clientCredentialsToken(clientId: string, clientSecret: string) {
  const response = await fetch(`${process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /partner-clients', () => {
  it("lets a tenant admin create a partner's machine client bound to the admin's own tenant, secret shown once", async () => {
    const tenant = tenantId();
    const response = await createClient(admin(tenant), { name: 'carrier-one' });

    expect(response.statusCode).toBe(201);
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(response.body).toEqual({
      clientId: expect.any(String),
      clientSecret: expect.any(String),
      name: 'carrier-one',
      scope: 'events/write',
      tokenUrl: TEST_ENV.TOKEN_URL,
    });
    const clientId = String(response.body.clientId);
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: partnerClientKeys.binding(clientId) }),
    );
    expect(Item).toMatchObject({ clientId, tenantId: tenant, name: 'carrier-one' });

    const { UserPoolClient } = await idp.send(
      new DescribeUserPoolClientCommand({ UserPoolId: TEST_ENV.USER_POOL_ID, ClientId: clientId }),
    );
    expect(UserPoolClient).toMatchObject({
      ClientName: `partner-${tenant}-carrier-one`,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['events/write'],
    });
    const token = await clientCredentialsToken(clientId, String(response.body.clientSecret));
    expect(token.status).toBe(200);
    const [, payload = ''] = String(token.body.access_token).split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      client_id: clientId,
      scope: 'events/write',
      token_use: 'access',
    });
  });

  it('ignores any tenant the body names: the tenant comes from the authorizer only, and unknown properties are refused', async () => {
    const tenant = tenantId();
    const response = await createClient(admin(tenant), { name: 'sneaky', tenantId: tenantId() });

    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(/tenantId/);
    expect(await poolClientNames()).not.toContain(`partner-${tenant}-sneaky`);
  });

  it('refuses a member with 403 and creates nothing', async () => {
    const tenant = tenantId();
    const response = await createClient(member(tenant), { name: 'carrier' });

    expect(response.statusCode).toBe(403);
    expect(JSON.stringify(response.body)).toMatch(/admin/);
    expect(await poolClientNames()).not.toContain(`partner-${tenant}-carrier`);
  });

  it.each([
    ['no name', {}, /name/],
    ['an empty name', { name: '' }, /name/],
    ['a name with spaces', { name: 'my carrier' }, /name/],
    ['a body that is not an object', 'carrier', /body|object|expected/i],
  ])('answers 400 naming the problem for %s, and creates no client', async (_, body, message) => {
    const before = (await poolClientNames()).length;
    const response = await createClient(admin(tenantId()), body);

    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(message);
    expect((await poolClientNames()).length).toBe(before);
  });

  it('deletes the Cognito client again when its binding cannot be written, so no client exists without a tenant', async () => {
    const tenant = tenantId();
    const documents = mockClient(documentClient);
    try {
      documents.send.callThrough();
      documents.on(PutCommand).rejectsOnce(new Error('injected: the binding write failed'));
      const response = await createClient(admin(tenant), { name: 'unlucky' });

      expect(response.statusCode).toBe(500);
      expect(documents.commandCalls(PutCommand)).toHaveLength(1);
    } finally {
      documents.restore();
    }
    expect(await poolClientNames()).not.toContain(`partner-${tenant}-unlucky`);
    expect((await listClients(admin(tenant))).body.items).toEqual([]);
  });
});

describe('GET /partner-clients', () => {
  it("lists the admin's own tenant's clients, without secrets, and none of another tenant's", async () => {
    const tenant = tenantId();
    const other = tenantId();
    const first = await createClient(admin(tenant), { name: 'carrier-a' });
    const second = await createClient(admin(tenant), { name: 'carrier-b' });
    await createClient(admin(other), { name: 'elsewhere' });

    const response = await listClients(admin(tenant));

    expect(response.statusCode).toBe(200);
    const items = [...response.body.items].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(items).toEqual([
      { clientId: first.body.clientId, name: 'carrier-a', createdAt: expect.any(String) },
      { clientId: second.body.clientId, name: 'carrier-b', createdAt: expect.any(String) },
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(/secret/i);
  });

  it('refuses a member with 403', async () => {
    const response = await listClients(member(tenantId()));
    expect(response.statusCode).toBe(403);
  });
});
