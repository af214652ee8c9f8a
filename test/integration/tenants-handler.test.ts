import {
  APIGatewayClient,
  CreateUsagePlanKeyCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  InternalErrorException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readTenantsConfig } from '../../services/tenants/config';
import { createTenantsHandler } from '../../services/tenants/handler';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';
import { tenantSlugKeys } from '../../shared/keys/tenant-slug-keys';
import { userKeys } from '../../shared/keys/user-keys';
import { logger } from '../../shared/logger';
import { baseSlug } from '../../shared/tenant-slug';
import { lambdaContext, restEvent } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type LocalControlPlanes, startLocalControlPlanes } from '../support/local-control-planes';
import { TEST_ENV } from '../support/test-env';

const handler = createTenantsHandler(readTenantsConfig(TEST_ENV));

const PLAN_IDS = { basic: 'plan-basic', premium: 'plan-premium' } as const;

// Onboarding runs against the local cloud's own Cognito and API Gateway control-plane servers (real HTTP,
// real SDK clients, real error types); aws-sdk-client-mock only injects faults those servers cannot produce.
let engine: DynamoEngine;
let planes: LocalControlPlanes;
beforeAll(async () => {
  engine = await startDynamo();
  planes = await startLocalControlPlanes({
    userPoolId: TEST_ENV.USER_POOL_ID,
    usagePlans: [
      { id: PLAN_IDS.basic, name: TEST_ENV.BASIC_USAGE_PLAN_NAME },
      { id: PLAN_IDS.premium, name: TEST_ENV.PREMIUM_USAGE_PLAN_NAME },
    ],
  });
  // Two stack syntheses and a pool signing key: generous, because the machine's cores are shared.
}, 30_000);
afterAll(async () => {
  await planes?.stop();
  await engine?.stop();
});

const injectedFaults: Array<{ restore(): void }> = [];
afterEach(() => {
  for (const fault of injectedFaults.splice(0)) fault.restore();
});

/**
 * Lets every call of a mocked client go through to the local server unless a test arms a fault on it (e.g.
 * `rejectsOnce` for one command, as a transient AWS fault would fail before reaching the server).
 * The mock is removed after the test.
 */
function passThrough<T extends { send: { callThrough(): unknown }; restore(): void }>(mock: T): T {
  mock.send.callThrough();
  injectedFaults.push(mock);
  return mock;
}

/** How many keys and users exist in all, to prove a request created nothing. */
function controlPlaneCounts(): { keys: number; users: number } {
  return { keys: planes.apiKeys.listApiKeys().length, users: planes.userPool.listUsers().length };
}

let counter = 0;
/** Names and emails unique per test, since the embedded table is shared by the whole file. */
function unique(prefix: string): { name: string; adminEmail: string } {
  counter += 1;
  return {
    name: `${prefix} ${counter} Ltd`,
    adminEmail: `admin${counter}@${prefix.toLowerCase()}.example.com`,
  };
}

/** A POST /tenants event as API Gateway sends it after AWS_IAM (SigV4) authorization. */
function iamEvent(body: unknown, requestId?: string): APIGatewayProxyEvent {
  const event = restEvent({
    method: 'POST',
    resource: '/tenants',
    body,
    ...(requestId ? { requestId } : {}),
  });
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      identity: {
        ...event.requestContext.identity,
        accessKey: 'ASIAEXAMPLEOPERATOR1',
        accountId: '123456789012',
        caller: 'AROAEXAMPLEROLEID:operator',
        user: 'AROAEXAMPLEROLEID:operator',
        userArn: 'arn:aws:sts::123456789012:assumed-role/BackOffice/operator',
      },
    },
  };
}

async function onboard(
  body: unknown,
  requestId?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const result = (await handler(iamEvent(body, requestId), lambdaContext())) as APIGatewayProxyResult;
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : {} };
}

async function item(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: key, ConsistentRead: true }),
  );
  return Item;
}

async function tenantItems(tenantId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documentClient.send(
    new QueryCommand({
      TableName: TEST_ENV.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': tenantKeys.profile(tenantId).PK },
    }),
  );
  return Items;
}

describe('POST /tenants', () => {
  it("starts the tenant's user directory with its admin (role admin, counted once, however often it is replayed)", async () => {
    const request = { ...unique('Directory'), tier: 'basic' };
    const response = await onboard(request);
    const tenantId = String(response.body.tenantId);
    const sub = planes.userByEmail(request.adminEmail)?.sub ?? '';
    expect(await item(userKeys.user(tenantId, sub))).toMatchObject({
      userId: sub,
      email: request.adminEmail,
      role: 'admin',
      enabled: true,
    });
    await onboard(request);
    expect(await item(userKeys.adminCount(tenantId))).toMatchObject({ admins: 1 });
  });

  it('onboards a tenant: ACTIVE records, its own key on the tier plan, and an admin user in the admin group', async () => {
    const request = { ...unique('Acme'), tier: 'premium' };
    const response = await onboard(request);

    expect(response.status).toBe(201);
    const tenantId = String(response.body.tenantId);
    expect(tenantId).toMatch(TENANT_ID_PATTERN);
    expect(response.body).toEqual({
      tenantId,
      name: request.name,
      slug: baseSlug(request.name),
      tier: 'premium',
      status: 'ACTIVE',
      adminUsername: request.adminEmail,
      apiKeyId: expect.any(String),
    });

    const profile = await item(tenantKeys.profile(tenantId));
    expect(profile).toEqual({
      ...tenantKeys.profile(tenantId),
      ...tenantKeys.directoryIndex(tenantId),
      tenantId,
      name: request.name,
      tier: 'premium',
      status: 'ACTIVE',
      apiKeyId: response.body.apiKeyId,
      apiKeyValue: expect.any(String),
      adminEmail: request.adminEmail,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const apiKeyValue = String(profile?.apiKeyValue);
    expect(apiKeyValue.length).toBeGreaterThanOrEqual(30);
    expect(JSON.stringify(response.body)).not.toContain(apiKeyValue);
    expect(await item(tenantKeys.name(request.name))).toMatchObject({
      tenantId,
      status: 'ACTIVE',
      apiKeyId: response.body.apiKeyId,
    });

    expect(planes.keysNamed(`tenant-${tenantId}`)).toEqual([
      expect.objectContaining({ id: response.body.apiKeyId, value: apiKeyValue, enabled: true }),
    ]);
    expect(planes.plansOf(String(response.body.apiKeyId))).toEqual([PLAN_IDS.premium]);

    const user = planes.userByEmail(request.adminEmail);
    expect(user?.attributes).toEqual({
      email: request.adminEmail,
      email_verified: 'true',
      'custom:tenantId': tenantId,
      'custom:role': 'admin',
    });
    // The pool signs in by email, so Cognito names the user by its sub.
    expect(user?.username).toBe(user?.sub);
    expect(user?.groups).toEqual(['admin']);
    // Invited: a temporary password that must be changed at first sign-in.
    expect(user?.status).toBe('FORCE_CHANGE_PASSWORD');
  });

  it('puts a basic tenant’s key on the basic usage plan', async () => {
    const response = await onboard({ ...unique('Basic'), tier: 'basic' });
    expect(response.status).toBe(201);
    expect(planes.plansOf(String(response.body.apiKeyId))).toEqual([PLAN_IDS.basic]);
  });

  it('answers a replay of a completed onboarding with 200 and the same body, creating nothing new', async () => {
    const request = { ...unique('Replay'), tier: 'basic' };
    const first = await onboard(request);
    const second = await onboard(request);

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(planes.keysNamed(`tenant-${first.body.tenantId}`)).toHaveLength(1);
    expect(planes.userPool.listUsers(`email = "${request.adminEmail}"`)).toHaveLength(1);
  });

  it('treats the admin email case-insensitively when recognising a replay', async () => {
    const request = { ...unique('Casing'), tier: 'basic' };
    const first = await onboard(request);
    const second = await onboard({ ...request, adminEmail: request.adminEmail.toUpperCase() });
    expect(second.status).toBe(200);
    expect(second.body.tenantId).toBe(first.body.tenantId);
  });

  it.each([
    ['a different tier', { tier: 'premium' }],
    ['a different admin email', { adminEmail: 'someone.else@example.com' }],
  ])('rejects a taken name with %s with 409 and creates nothing new', async (_, change) => {
    const request = { ...unique('Taken'), tier: 'basic' };
    const first = await onboard(request);
    const before = controlPlaneCounts();
    const clash = await onboard({ ...request, ...change });

    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({
      code: 'Conflict',
      message: `tenant name '${request.name}' is already taken`,
    });
    expect(controlPlaneCounts()).toEqual(before);
    expect(await item(tenantKeys.name(request.name))).toMatchObject({
      tenantId: first.body.tenantId,
      tier: 'basic',
    });
  });

  it('rejects a name that differs only in case and spacing from a taken one with 409', async () => {
    const request = { ...unique('Globex'), tier: 'basic' };
    await onboard(request);
    const before = controlPlaneCounts();
    const variant = request.name.toUpperCase().replace(/ /g, '   ');
    const clash = await onboard({ name: variant, tier: 'basic', adminEmail: 'other@globex.example.com' });

    expect(clash.status).toBe(409);
    expect(clash.body.message).toBe(`tenant name '${variant}' is already taken`);
    expect(controlPlaneCounts()).toEqual(before);
  });

  it.each([
    ['a missing tier', { name: 'Valid Name', adminEmail: 'a@example.com' }, 'tier'],
    ['an unknown tier', { name: 'Valid Name', tier: 'gold', adminEmail: 'a@example.com' }, 'tier'],
    [
      'an unknown property',
      { name: 'Valid Name', tier: 'basic', adminEmail: 'a@example.com', tenantId: 'tx' },
      'tenantId',
    ],
    ['an invalid email', { name: 'Valid Name', tier: 'basic', adminEmail: 'not-an-email' }, 'adminEmail'],
    ['a two-character name', { name: 'ab', tier: 'basic', adminEmail: 'a@example.com' }, 'name'],
    ['a 65-character name', { name: 'n'.repeat(65), tier: 'basic', adminEmail: 'a@example.com' }, 'name'],
    [
      'a name with a key separator',
      { name: 'Evil#Corp', tier: 'basic', adminEmail: 'a@example.com' },
      'name',
    ],
  ])('rejects a body with %s with 400 and writes nothing anywhere', async (_, body, field) => {
    const before = controlPlaneCounts();
    const response = await onboard(body);

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('ValidationError');
    expect(String(response.body.message)).toContain(field);
    const name = typeof body.name === 'string' ? body.name : 'Valid Name';
    expect(await item(tenantKeys.name(name))).toBeUndefined();
    expect(controlPlaneCounts()).toEqual(before);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await onboard('{"name": "Acme"');
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('request body must be valid JSON');
  });

  it('answers 500 when creating the admin user fails, keeps the tenant ONBOARDING, and completes on retry', async () => {
    const request = { ...unique('Fault'), tier: 'premium' };
    passThrough(mockClient(CognitoIdentityProviderClient))
      .on(AdminCreateUserCommand)
      .rejectsOnce(
        new InternalErrorException({ message: 'internal error', $metadata: { httpStatusCode: 500 } }),
      );

    const failed = await onboard(request);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({
      code: 'InternalError',
      message: 'internal error',
      requestId: expect.any(String),
    });
    const claim = await item(tenantKeys.name(request.name));
    const tenantId = String(claim?.tenantId);
    expect(claim?.status).toBe('ONBOARDING');
    expect(await item(tenantKeys.profile(tenantId))).toMatchObject({ status: 'ONBOARDING' });
    expect(planes.userByEmail(request.adminEmail)).toBeUndefined();

    const retried = await onboard(request);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ tenantId, status: 'ACTIVE' });
    expect(planes.keysNamed(`tenant-${tenantId}`)).toHaveLength(1);
    expect(planes.plansOf(String(retried.body.apiKeyId))).toEqual([PLAN_IDS.premium]);
    expect(planes.userByEmail(request.adminEmail)?.attributes['custom:tenantId']).toBe(tenantId);
    expect(await item(tenantKeys.profile(tenantId))).toMatchObject({
      status: 'ACTIVE',
      apiKeyId: retried.body.apiKeyId,
    });
    expect(await tenantItems(tenantId)).toHaveLength(1);
  });

  it('reuses the API key an interrupted attempt created when attaching it to the plan failed', async () => {
    const request = { ...unique('PlanFault'), tier: 'basic' };
    passThrough(mockClient(APIGatewayClient))
      .on(CreateUsagePlanKeyCommand)
      .rejectsOnce(
        new TooManyRequestsException({ message: 'Too Many Requests', $metadata: { httpStatusCode: 429 } }),
      );

    expect((await onboard(request)).status).toBe(500);
    const tenantId = String((await item(tenantKeys.name(request.name)))?.tenantId);
    const [interrupted, ...others] = planes.keysNamed(`tenant-${tenantId}`);
    expect(others).toEqual([]);
    expect(interrupted && planes.plansOf(interrupted.id)).toEqual([]);
    const retried = await onboard(request);

    expect(retried.status).toBe(201);
    expect(retried.body.apiKeyId).toBe(interrupted?.id);
    expect(planes.keysNamed(`tenant-${tenantId}`)).toHaveLength(1);
    expect(planes.plansOf(String(retried.body.apiKeyId))).toEqual([PLAN_IDS.basic]);
  });

  it('adopts the admin user an interrupted attempt created, and adds it to the admin group', async () => {
    const request = { ...unique('GroupFault'), tier: 'basic' };
    passThrough(mockClient(CognitoIdentityProviderClient))
      .on(AdminAddUserToGroupCommand)
      .rejectsOnce(
        new InternalErrorException({ message: 'internal error', $metadata: { httpStatusCode: 500 } }),
      );

    expect((await onboard(request)).status).toBe(500);
    expect(planes.userByEmail(request.adminEmail)?.groups).toEqual([]);
    const retried = await onboard(request);

    expect(retried.status).toBe(201);
    expect(planes.userPool.listUsers(`email = "${request.adminEmail}"`)).toHaveLength(1);
    expect(planes.userByEmail(request.adminEmail)?.groups).toEqual(['admin']);
  });

  it('refuses with 409 an admin email that already belongs to another tenant, without claiming the name', async () => {
    const first = { ...unique('Owner'), tier: 'basic' };
    await onboard(first);
    const before = controlPlaneCounts();
    const second = { ...unique('Squatter'), adminEmail: first.adminEmail, tier: 'basic' };
    const response = await onboard(second);

    expect(response.status).toBe(409);
    expect(response.body.message).toBe(`user '${first.adminEmail}' already belongs to another tenant`);
    expect(await item(tenantKeys.name(second.name))).toBeUndefined();
    expect(controlPlaneCounts()).toEqual(before);

    // The name is still free for the same tenant with its own admin.
    const retried = await onboard({ ...second, adminEmail: unique('Squatter').adminEmail });
    expect(retried.status).toBe(201);
  });

  describe('with a corrupt stored name record', () => {
    it.each([
      ['tier (never read as basic)', { tier: 'gold' }, 'tier'],
      ['status (never read as ONBOARDING)', { status: 'DONE' }, 'status'],
    ])(
      'answers a replay with 500 and the request id for an unknown %s, changing nothing',
      async (_, change, field) => {
        const request = { ...unique('Corrupt'), tier: 'basic' };
        const first = await onboard(request);
        expect(first.status).toBe(201);
        const key = tenantKeys.name(request.name);
        const corrupt = { ...(await item(key)), ...change };
        await documentClient.send(new PutCommand({ TableName: TEST_ENV.TABLE_NAME, Item: corrupt }));
        const before = controlPlaneCounts();
        const logged = jest.spyOn(logger, 'error');
        try {
          const replay = await onboard(request, 'req-corrupt-claim');

          expect(replay).toEqual({
            status: 500,
            body: { code: 'InternalError', message: 'internal error', requestId: 'req-corrupt-claim' },
          });
          expect(logged).toHaveBeenCalledWith(
            'unhandled error',
            expect.objectContaining({
              entity: 'tenant name record',
              key,
              issues: expect.stringContaining(field),
            }),
          );
        } finally {
          logged.mockRestore();
        }
        expect(await item(key)).toEqual(corrupt);
        expect(await item(tenantKeys.profile(String(first.body.tenantId)))).toMatchObject({
          status: 'ACTIVE',
        });
        expect(controlPlaneCounts()).toEqual(before);
      },
    );
  });
});

describe('POST /tenants: public slugs', () => {
  it('derives a URL-safe slug from the name and records which tenant holds it', async () => {
    const response = await onboard({
      name: 'Slug.Co 1',
      adminEmail: 'admin@slug1.example.com',
      tier: 'basic',
    });
    expect(response.status).toBe(201);
    expect(response.body.slug).toBe('slug-co-1');
    expect(await item(tenantSlugKeys.slug('slug-co-1'))).toEqual({
      ...tenantSlugKeys.slug('slug-co-1'),
      slug: 'slug-co-1',
      tenantId: response.body.tenantId,
      createdAt: expect.any(String),
    });
  });

  it('gives a second tenant whose name suggests a taken slug the next free one, and each keeps its own on replay', async () => {
    const first = { name: 'Twin Shop', adminEmail: 'admin@twin1.example.com', tier: 'basic' };
    const second = { name: 'Twin-Shop', adminEmail: 'admin@twin2.example.com', tier: 'premium' };
    const a = await onboard(first);
    const b = await onboard(second);
    expect([a.body.slug, b.body.slug]).toEqual(['twin-shop', 'twin-shop-2']);

    const replayA = await onboard(first);
    const replayB = await onboard(second);
    expect([replayA.status, replayB.status]).toEqual([200, 200]);
    expect([replayA.body.slug, replayB.body.slug]).toEqual(['twin-shop', 'twin-shop-2']);
    expect((await item(tenantSlugKeys.slug('twin-shop')))?.tenantId).toBe(a.body.tenantId);
    expect((await item(tenantSlugKeys.slug('twin-shop-2')))?.tenantId).toBe(b.body.tenantId);
    expect(await item(tenantSlugKeys.slug('twin-shop-3'))).toBeUndefined();
  });

  it('never hands a slug that was given out to another tenant, even when its holder is suspended', async () => {
    const holder = await onboard({ name: 'Kept Slug', adminEmail: 'admin@kept1.example.com', tier: 'basic' });
    await documentClient.send(
      new PutCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Item: { ...(await item(tenantKeys.profile(String(holder.body.tenantId)))), status: 'SUSPENDED' },
      }),
    );
    const next = await onboard({ name: 'Kept.Slug', adminEmail: 'admin@kept2.example.com', tier: 'basic' });
    expect(next.body.slug).toBe('kept-slug-2');
    expect((await item(tenantSlugKeys.slug('kept-slug')))?.tenantId).toBe(holder.body.tenantId);
  });
});
