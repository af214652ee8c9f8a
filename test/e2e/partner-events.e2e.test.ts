/**
 * End to end: a tenant admin creates a partner's machine client through `POST /partner-clients`; the client posts an event with a client-credentials access token from the local
 * Cognito domain (`CognitoDomainUrl` of the stack outputs), the tenant taken from the client's binding, never from
 * the request; an unbound client's token and a user's access token are refused.
 */
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { orderEventKeys } from '../../shared/keys/order-event-keys';
import { PARTNER_SCOPE } from '../../shared/partner-scope';
import { ACME, callApi, type E2eCloud, startE2eCloud } from '../support/e2e-cloud';

let e2e: E2eCloud;
let documents: DynamoDBDocumentClient;
let idp: CognitoIdentityProviderClient;
let tableName: string;
let outputs: Record<string, string>;

beforeAll(async () => {
  e2e = await startE2eCloud();
  outputs = Object.assign({}, ...Object.values(e2e.cloud.model.outputs ?? {}));
  const endpoint = e2e.cloud.endpoints.find((e) => e.kind === 'DynamoDB')?.url;
  const table = e2e.cloud.model.resources.find(
    (r) => r.type.startsWith('AWS::DynamoDB::') && r.logicalId.startsWith('Table'),
  );
  if (!endpoint || !table) throw new Error('no DynamoDB endpoint or table in the local cloud');
  tableName = table.physicalId;
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS }),
  );
  idp = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: e2e.cloud.identity.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
}, 600_000);

afterAll(async () => {
  idp?.destroy();
  documents?.destroy();
  await e2e?.close();
});

function tenantOf(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return String(claims['custom:tenantId']);
}

/** A client-credentials access token from the stack's Cognito domain, as a partner gets one. */
async function clientCredentialsToken(clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${outputs.CognitoDomainUrl}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: PARTNER_SCOPE.fullName }),
  });
  expect(response.status).toBe(200);
  return String(((await response.json()) as Record<string, unknown>).access_token);
}

/** A partner client created by the tenant's admin through the API, then its token. */
async function partnerTokenFromApi(adminIdToken: string): Promise<string> {
  const created = await callApi(`${e2e.apiUrl}/partner-clients`, 'POST', {
    authorization: `Bearer ${adminIdToken}`,
    body: { name: 'dhl' },
  });
  expect(created.status).toBe(201);
  expect(created.body.scope).toBe(PARTNER_SCOPE.fullName);
  return clientCredentialsToken(String(created.body.clientId), String(created.body.clientSecret));
}

/** A client with the partner settings made directly in the pool and bound to no tenant, then its token. */
async function unboundPartnerToken(): Promise<string> {
  const { UserPoolClient } = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: outputs.UserPoolId,
      ClientName: 'partner-unbound',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [PARTNER_SCOPE.fullName],
      AllowedOAuthFlowsUserPoolClient: true,
    }),
  );
  return clientCredentialsToken(UserPoolClient?.ClientId ?? '', String(UserPoolClient?.ClientSecret));
}

describe('POST /events by a partner (client credentials)', () => {
  it("is accepted (202) and stored under the partner's tenant; the partner may call nothing else", async () => {
    const member = e2e.idToken(ACME, 'member');
    const tenantId = tenantOf(member);
    const created = await callApi(`${e2e.apiUrl}/orders`, 'POST', {
      authorization: `Bearer ${member}`,
      body: { items: [{ sku: 'WIDGET-1', quantity: 1 }] },
    });
    expect(created.status).toBe(201);
    const orderId = String(created.body.orderId);

    const token = await partnerTokenFromApi(e2e.idToken(ACME, 'admin'));
    const posted = await callApi(`${e2e.apiUrl}/events`, 'POST', {
      authorization: `Bearer ${token}`,
      body: { orderId, type: 'shipped', occurredAt: '2026-01-02T10:00:00Z', carrier: 'DHL' },
    });
    expect(posted.status).toBe(202);
    const eventId = String(posted.body.eventId);
    const { Item } = await documents.send(
      new GetCommand({
        TableName: tableName,
        Key: orderEventKeys.event(tenantId, orderId, eventId),
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({ tenantId, orderId, type: 'shipped' });

    const orders = await callApi(`${e2e.apiUrl}/orders`, 'GET', { authorization: `Bearer ${token}` });
    expect(orders.status).toBe(403);
  });

  it("lists the admin's partner clients, and refuses a member (403) and a body with unknown properties (400)", async () => {
    const admin = e2e.idToken(ACME, 'admin');
    const listed = await callApi(`${e2e.apiUrl}/partner-clients`, 'GET', {
      authorization: `Bearer ${admin}`,
    });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/secret/i);

    const byMember = await callApi(`${e2e.apiUrl}/partner-clients`, 'POST', {
      authorization: `Bearer ${e2e.idToken(ACME, 'member')}`,
      body: { name: 'dhl' },
    });
    expect(byMember.status).toBe(403);

    const smuggled = await callApi(`${e2e.apiUrl}/partner-clients`, 'POST', {
      authorization: `Bearer ${admin}`,
      body: { name: 'dhl', tenantId: 'tsomeoneelse00000' },
    });
    expect(smuggled.status).toBe(400);
  });

  it('refuses the token of a client bound to no tenant (401)', async () => {
    const unbound = await unboundPartnerToken();
    const posted = await callApi(`${e2e.apiUrl}/events`, 'POST', {
      authorization: `Bearer ${unbound}`,
      body: { orderId: 'o', type: 'shipped', occurredAt: '2026-01-02T10:00:00Z' },
    });
    expect(posted.status).toBe(401);
  });
});
