import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readUsersConfig } from '../../services/users/config';
import { createUsersHandler } from '../../services/users/handler';
import { listAudit } from '../../shared/audit';
import { documentClient } from '../../shared/dynamo';
import { tenantId as newTenantId } from '../../shared/ids';
import { userKeys } from '../../shared/keys/user-keys';
import { addDirectoryUser } from '../../shared/user-directory';
import { type LambdaAuthorizerContext, lambdaAuthorizerEvent, type RestRequest } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type LocalControlPlanes, startLocalControlPlanes } from '../support/local-control-planes';
import { invoke } from '../support/orders-fixtures';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

const handler = createUsersHandler(readUsersConfig(TEST_ENV), {}, UNSCOPED_TENANT_DATA);

// The handler runs against the local cloud's own Cognito and API Gateway control plane (real HTTP, real SDK
// clients and errors) and the embedded DynamoDB: no mocks.
let engine: DynamoEngine;
let planes: LocalControlPlanes;
let idp: CognitoIdentityProviderClient;
beforeAll(async () => {
  engine = await startDynamo();
  planes = await startLocalControlPlanes({
    userPoolId: TEST_ENV.USER_POOL_ID,
    usagePlans: [],
    restStage: { restApiId: TEST_ENV.REST_API_ID, stageName: TEST_ENV.STAGE_NAME },
  });
  idp = new CognitoIdentityProviderClient({});
}, 30_000);
afterAll(async () => {
  idp?.destroy();
  await planes?.stop();
  await engine?.stop();
});

/** A tenant as onboarding leaves it: its admin in the pool (immutable tenant and role) and in its directory. */
async function onboardedTenant(): Promise<{ tenantId: string; admin: LambdaAuthorizerContext }> {
  const tenantId = newTenantId();
  const email = `admin@${tenantId}.example.com`;
  const { User } = await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: TEST_ENV.USER_POOL_ID,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'custom:tenantId', Value: tenantId },
        { Name: 'custom:role', Value: 'admin' },
      ],
    }),
  );
  const userId = User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  await addDirectoryUser(TEST_ENV.TABLE_NAME, tenantId, { userId, email, role: 'admin' });
  return { tenantId, admin: { tenantId, userId, role: 'admin', tier: 'basic' } };
}

const call = <T = Record<string, unknown>>(principal: LambdaAuthorizerContext, request: RestRequest) =>
  invoke<T>(handler, lambdaAuthorizerEvent(request, principal));
const inviteUser = (principal: LambdaAuthorizerContext, body: unknown) =>
  call(principal, { method: 'POST', resource: '/users', body });
const patchUser = (principal: LambdaAuthorizerContext, userId: string, body: unknown) =>
  call(principal, { method: 'PATCH', resource: '/users/{userId}', pathParameters: { userId }, body });
const deleteUser = (principal: LambdaAuthorizerContext, userId: string) =>
  call(principal, { method: 'DELETE', resource: '/users/{userId}', pathParameters: { userId } });
const asMember = (principal: LambdaAuthorizerContext, userId: string): LambdaAuthorizerContext => ({
  ...principal,
  userId,
  role: 'member',
});

describe('POST /users', () => {
  it('invites a user with the tenant and role as immutable attributes, a temporary password and the role group', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const response = await inviteUser(admin, { email: `ann@${tenantId}.example.com`, role: 'member' });

    expect(response.statusCode).toBe(201);
    expect(response.body).toEqual({
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: `ann@${tenantId}.example.com`,
      role: 'member',
      enabled: true,
      status: 'FORCE_CHANGE_PASSWORD',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const user = planes.userByEmail(`ann@${tenantId}.example.com`);
    expect(user?.attributes).toMatchObject({ 'custom:tenantId': tenantId, 'custom:role': 'member' });
    expect(user?.status).toBe('FORCE_CHANGE_PASSWORD');
    expect(user?.groups).toEqual(['member']);
  });

  it("records the invitation in the tenant's audit trail (actor, action, target, request id)", async () => {
    const { tenantId, admin } = await onboardedTenant();
    const response = await call(admin, {
      method: 'POST',
      resource: '/users',
      body: { email: `audited@${tenantId}.example.com`, role: 'admin' },
      requestId: 'req-invite-1',
    });
    const { items } = await listAudit(TEST_ENV.TABLE_NAME, tenantId, { limit: 10 });
    expect(items).toEqual([
      expect.objectContaining({
        actor: { kind: 'user', id: admin.userId },
        action: 'user.invite',
        target: { type: 'user', id: response.body.userId },
        requestId: 'req-invite-1',
      }),
    ]);
  });

  it('refuses a member (403), an e-mail already in the tenant (409), one of another tenant (409) and bad bodies (400)', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const other = await onboardedTenant();
    const invited = await inviteUser(admin, { email: `bob@${tenantId}.example.com`, role: 'member' });
    expect(
      (
        await inviteUser(asMember(admin, String(invited.body.userId)), {
          email: 'x@example.com',
          role: 'member',
        })
      ).statusCode,
    ).toBe(403);
    const again = await inviteUser(admin, { email: `bob@${tenantId}.example.com`, role: 'member' });
    expect([again.statusCode, again.body.message]).toEqual([
      409,
      expect.stringMatching(/already a user of this tenant/),
    ]);
    const foreign = await inviteUser(admin, { email: `admin@${other.tenantId}.example.com`, role: 'member' });
    expect([foreign.statusCode, foreign.body.message]).toEqual([
      409,
      expect.stringMatching(/already exists/),
    ]);
    // Only that the address is taken: nothing says which tenant has it.
    expect(String(foreign.body.message)).not.toMatch(/tenant/);
    const badRole = await inviteUser(admin, { email: `c@${tenantId}.example.com`, role: 'owner' });
    expect([badRole.statusCode, badRole.body.message]).toEqual([400, expect.stringMatching(/role/)]);
    const badEmail = await inviteUser(admin, { email: 'not-an-email', role: 'member' });
    expect([badEmail.statusCode, badEmail.body.message]).toEqual([400, expect.stringMatching(/email/)]);
  });
});

describe('GET /users', () => {
  it("lists only the caller's tenant's users, in pages, and refuses members", async () => {
    const { tenantId, admin } = await onboardedTenant();
    const other = await onboardedTenant();
    await inviteUser(other.admin, { email: `outsider@${other.tenantId}.example.com`, role: 'member' });
    for (const name of ['a', 'b', 'c']) {
      await inviteUser(admin, { email: `${name}@${tenantId}.example.com`, role: 'member' });
    }
    const emails: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await call<{ items: Array<{ email: string }>; nextToken?: string }>(admin, {
        method: 'GET',
        resource: '/users',
        query: { limit: '2', ...(nextToken ? { nextToken } : {}) },
      });
      expect(page.statusCode).toBe(200);
      emails.push(...page.body.items.map((user) => user.email));
      nextToken = page.body.nextToken;
      pages += 1;
    } while (nextToken !== undefined);
    expect(pages).toBeGreaterThan(1);
    expect(emails.sort()).toEqual(
      [
        `a@${tenantId}.example.com`,
        `admin@${tenantId}.example.com`,
        `b@${tenantId}.example.com`,
        `c@${tenantId}.example.com`,
      ].sort(),
    );
    const member = asMember(admin, 'someone');
    expect((await call(member, { method: 'GET', resource: '/users' })).statusCode).toBe(403);
    const badLimit = await call(admin, { method: 'GET', resource: '/users', query: { limit: '500' } });
    expect(badLimit.statusCode).toBe(400);
  });
});

describe('PATCH /users/{userId}', () => {
  it('disables a user: the pool refuses its sign-in, the directory says so, and the authorizer cache is flushed', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const invited = await inviteUser(admin, { email: `dan@${tenantId}.example.com`, role: 'member' });
    const userId = String(invited.body.userId);
    planes.authorizerCaches.set(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, 'Bearer old-token', {
      expiresAt: Date.now() + 300_000,
      output: {},
    });

    const response = await patchUser(admin, userId, { enabled: false });

    expect([response.statusCode, response.body.enabled]).toEqual([200, false]);
    expect(planes.userByEmail(`dan@${tenantId}.example.com`)?.enabled).toBe(false);
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: userKeys.user(tenantId, userId) }),
    );
    expect(Item).toMatchObject({ enabled: false });
    expect(
      planes.authorizerCaches.get(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, 'Bearer old-token'),
    ).toBeUndefined();
    const enabled = await patchUser(admin, userId, { enabled: true });
    expect([enabled.statusCode, enabled.body.enabled]).toEqual([200, true]);
    expect(planes.userByEmail(`dan@${tenantId}.example.com`)?.enabled).toBe(true);
  });

  it('changes the role in the directory and moves the user to the other group (custom:role stays as invited)', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const invited = await inviteUser(admin, { email: `eve@${tenantId}.example.com`, role: 'member' });
    const response = await patchUser(admin, String(invited.body.userId), { role: 'admin' });
    expect([response.statusCode, response.body.role]).toEqual([200, 'admin']);
    const user = planes.userByEmail(`eve@${tenantId}.example.com`);
    expect(user?.groups).toEqual(['admin']);
    expect(user?.attributes['custom:role']).toBe('member');
  });

  it('refuses to demote or disable the last enabled admin (409 with the reason), and allows it once there is another', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const demote = await patchUser(admin, admin.userId, { role: 'member' });
    expect([demote.statusCode, demote.body.message]).toEqual([409, expect.stringMatching(/last one/)]);
    const disable = await patchUser(admin, admin.userId, { enabled: false });
    expect(disable.statusCode).toBe(409);
    await inviteUser(admin, { email: `second@${tenantId}.example.com`, role: 'admin' });
    expect((await patchUser(admin, admin.userId, { role: 'member' })).statusCode).toBe(200);
  });

  it("answers 404 for another tenant's user and an id that is no user, 403 for a member, 400 for an empty body", async () => {
    const { admin } = await onboardedTenant();
    const other = await onboardedTenant();
    expect((await patchUser(admin, other.admin.userId, { enabled: false })).statusCode).toBe(404);
    expect((await patchUser(admin, 'not-a-user', { enabled: false })).statusCode).toBe(404);
    expect(planes.userByEmail(`admin@${other.tenantId}.example.com`)?.enabled).toBe(true);
    expect((await patchUser(asMember(admin, 'm'), admin.userId, { enabled: false })).statusCode).toBe(403);
    const empty = await patchUser(admin, admin.userId, {});
    expect([empty.statusCode, empty.body.message]).toEqual([400, expect.stringMatching(/role or enabled/)]);
  });
});

describe('a change that fails half-way', () => {
  it('is finished by sending it again: a disable whose authorizer-cache flush failed flushes on the retry', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const invited = await inviteUser(admin, { email: `gil@${tenantId}.example.com`, role: 'member' });
    const userId = String(invited.body.userId);
    planes.authorizerCaches.set(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, 'Bearer gil-token', {
      expiresAt: Date.now() + 300_000,
      output: {},
    });
    // The one fault the engines cannot produce: API Gateway refusing the flush.
    const failingGateway = new APIGatewayClient({});
    mockClient(failingGateway)
      .on(FlushStageAuthorizersCacheCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const failing = createUsersHandler(
      readUsersConfig(TEST_ENV),
      { apiGateway: failingGateway },
      UNSCOPED_TENANT_DATA,
    );
    const first = await invoke(
      failing,
      lambdaAuthorizerEvent(
        {
          method: 'PATCH',
          resource: '/users/{userId}',
          pathParameters: { userId },
          body: { enabled: false },
        },
        admin,
      ),
    );
    expect(first.statusCode).toBe(500);
    expect(
      planes.authorizerCaches.get(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, 'Bearer gil-token'),
    ).toBeDefined();

    const retry = await patchUser(admin, userId, { enabled: false });

    expect([retry.statusCode, retry.body.enabled]).toEqual([200, false]);
    expect(
      planes.authorizerCaches.get(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, 'Bearer gil-token'),
    ).toBeUndefined();
    expect(planes.userByEmail(`gil@${tenantId}.example.com`)?.enabled).toBe(false);
  });
});

describe('DELETE /users/{userId}', () => {
  it('deletes the user from the pool and the listing, leaving a tombstone that refuses its old tokens', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const invited = await inviteUser(admin, { email: `fay@${tenantId}.example.com`, role: 'member' });
    const userId = String(invited.body.userId);

    expect((await deleteUser(admin, userId)).statusCode).toBe(204);

    expect(planes.userByEmail(`fay@${tenantId}.example.com`)).toBeUndefined();
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: userKeys.user(tenantId, userId) }),
    );
    expect(Item).toMatchObject({
      enabled: false,
      deletedAt: expect.any(String),
      expiresAt: expect.any(Number),
    });
    const listed = await call<{ items: Array<{ userId: string }> }>(admin, {
      method: 'GET',
      resource: '/users',
    });
    expect(listed.body.items.map((user) => user.userId)).not.toContain(userId);
    const got = await call(admin, { method: 'GET', resource: '/users/{userId}', pathParameters: { userId } });
    expect(got.statusCode).toBe(404);
    // Sent again (as after a failure half-way), the deletion is finished again and answers the same.
    expect((await deleteUser(admin, userId)).statusCode).toBe(204);
    const { items } = await listAudit(TEST_ENV.TABLE_NAME, tenantId, { limit: 10 });
    expect(items.filter((entry) => entry.action === 'user.delete')).toHaveLength(1);
  });

  it("refuses to remove the last admin (409) and another tenant's user (404)", async () => {
    const { admin } = await onboardedTenant();
    const other = await onboardedTenant();
    const last = await deleteUser(admin, admin.userId);
    expect([last.statusCode, last.body.message]).toEqual([409, expect.stringMatching(/last enabled admin/)]);
    expect((await deleteUser(admin, other.admin.userId)).statusCode).toBe(404);
    expect(planes.userByEmail(`admin@${other.tenantId}.example.com`)).toBeDefined();
  });

  it('keeps one admin when two admins remove each other at once', async () => {
    const { tenantId, admin } = await onboardedTenant();
    const second = await inviteUser(admin, { email: `twin@${tenantId}.example.com`, role: 'admin' });
    const twin: LambdaAuthorizerContext = { ...admin, userId: String(second.body.userId) };
    const outcomes = await Promise.all([deleteUser(admin, twin.userId), deleteUser(twin, admin.userId)]);
    expect(outcomes.map((o) => o.statusCode).sort()).toEqual([204, 409]);
  });
});
