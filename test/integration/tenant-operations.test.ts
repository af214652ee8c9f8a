import { APIGatewayClient, UpdateApiKeyCommand } from '@aws-sdk/client-api-gateway';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readTenantsConfig } from '../../services/tenants/config';
import { createTenantsHandler } from '../../services/tenants/handler';
import { listAudit } from '../../shared/audit';
import { tenantId as newTenantId } from '../../shared/ids';
import { lambdaContext, type RestRequest, restEvent } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type LocalControlPlanes, startLocalControlPlanes } from '../support/local-control-planes';
import { TEST_ENV } from '../support/test-env';

const handler = createTenantsHandler(readTenantsConfig(TEST_ENV));
const PLAN_IDS = { basic: 'plan-basic', premium: 'plan-premium' } as const;
const QUOTAS = {
  basic: { Limit: 100, Period: 'MONTH' },
  premium: { Limit: 1000, Period: 'MONTH' },
} as const;
const OPERATOR_ARN = 'arn:aws:sts::123456789012:assumed-role/BackOffice/operator';

// The operator routes run against the local cloud's own API Gateway control plane and Cognito (real HTTP, real
// SDK clients) and an embedded DynamoDB; aws-sdk-client-mock only injects a fault the servers cannot produce.
let engine: DynamoEngine;
let planes: LocalControlPlanes;
beforeAll(async () => {
  engine = await startDynamo();
  planes = await startLocalControlPlanes({
    userPoolId: TEST_ENV.USER_POOL_ID,
    usagePlans: [
      { id: PLAN_IDS.basic, name: TEST_ENV.BASIC_USAGE_PLAN_NAME, properties: { Quota: QUOTAS.basic } },
      { id: PLAN_IDS.premium, name: TEST_ENV.PREMIUM_USAGE_PLAN_NAME, properties: { Quota: QUOTAS.premium } },
    ],
    restStage: { restApiId: TEST_ENV.REST_API_ID, stageName: TEST_ENV.STAGE_NAME },
  });
}, 30_000);
afterAll(async () => {
  await planes?.stop();
  await engine?.stop();
});

/** A request as API Gateway hands it over after AWS_IAM (SigV4) authorization of an operator. */
function operatorEvent(request: RestRequest): APIGatewayProxyEvent {
  const event = restEvent(request);
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      identity: { ...event.requestContext.identity, caller: 'AROAEXAMPLE:operator', userArn: OPERATOR_ARN },
    },
  };
}

async function call(request: RestRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const result = (await handler(operatorEvent(request), lambdaContext())) as APIGatewayProxyResult;
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : {} };
}

let counter = 0;
/** A tenant onboarded through `POST /tenants`, as operators create them. */
async function onboarded(
  tier: 'basic' | 'premium' = 'basic',
): Promise<{ tenantId: string; apiKeyId: string }> {
  counter += 1;
  const created = await call({
    method: 'POST',
    resource: '/tenants',
    body: {
      name: `Ops Tenant ${counter} ${Date.now()}`,
      tier,
      adminEmail: `ops${counter}.${Date.now()}@example.com`,
    },
  });
  expect(created.status).toBe(201);
  return { tenantId: String(created.body.tenantId), apiKeyId: String(created.body.apiKeyId) };
}

const tenantPath = (tenantId: string, action?: 'suspend' | 'reactivate'): RestRequest => ({
  method: action ? 'POST' : 'GET',
  resource: action ? `/tenants/{tenantId}/${action}` : '/tenants/{tenantId}',
  pathParameters: { tenantId },
});
const suspend = (tenantId: string) => call(tenantPath(tenantId, 'suspend'));
const reactivate = (tenantId: string) => call(tenantPath(tenantId, 'reactivate'));
const patchTier = (tenantId: string, body: unknown) =>
  call({ method: 'PATCH', resource: '/tenants/{tenantId}', pathParameters: { tenantId }, body });
const keyEnabled = (apiKeyId: string) => planes.apiKeys.getApiKey(apiKeyId)?.enabled;
const auditActions = async (tenantId: string) =>
  (await listAudit(TEST_ENV.TABLE_NAME, tenantId, { limit: 50 })).items.map((entry) => entry.action);

/** `count` requests of the key, counted against `tier`'s plan quota as the REST API's gateway counts them. */
function sendRequests(tier: 'basic' | 'premium', apiKeyId: string, count: number): boolean[] {
  const quota = { limit: QUOTAS[tier].Limit, period: QUOTAS[tier].Period, offset: 0 };
  return Array.from({ length: count }, () => planes.meter.consume(`${PLAN_IDS[tier]}/${apiKeyId}`, quota));
}

/** A decision the REST authorizer cached for the stage, as API Gateway would keep it for 300 s. */
function cacheAuthorizerDecision(identity: string): void {
  planes.authorizerCaches.set(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, identity, {
    expiresAt: Date.now() + 300_000,
    output: {},
  });
}

describe('GET /tenants/{tenantId}', () => {
  it('shows a tenant without its API key value', async () => {
    const { tenantId, apiKeyId } = await onboarded('premium');
    const shown = await call(tenantPath(tenantId));
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ tenantId, tier: 'premium', status: 'ACTIVE', apiKeyId });
    expect(shown.body).not.toHaveProperty('apiKeyValue');
  });

  it("shows the tenant's plan and its quota use this period, as the gateway metered its key", async () => {
    const { tenantId, apiKeyId } = await onboarded('basic');
    sendRequests('basic', apiKeyId, 3);
    const shown = await call(tenantPath(tenantId));
    expect(shown.body.usage).toMatchObject({
      plan: { id: PLAN_IDS.basic, name: TEST_ENV.BASIC_USAGE_PLAN_NAME },
      quota: { limit: 100, period: 'MONTH', used: 3, remaining: 97 },
    });
  });

  it('answers an unknown tenant with 404 and a malformed id with 400 naming the parameter', async () => {
    const unknown = await call(tenantPath(newTenantId()));
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/does not exist/);
    const malformed = await call(tenantPath('TENANT#x'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/tenantId/);
  });
});

describe('GET /tenants', () => {
  it('pages through every tenant, and filters by status and tier', async () => {
    const a = await onboarded('premium');
    const b = await onboarded('premium');
    await onboarded('basic');
    expect((await suspend(b.tenantId)).status).toBe(200);

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call({
        method: 'GET',
        resource: '/tenants',
        query: { limit: '2', ...(nextToken ? { nextToken } : {}) },
      });
      expect(page.status).toBe(200);
      const items = page.body.items as Array<Record<string, unknown>>;
      expect(items.length).toBeLessThanOrEqual(2);
      for (const item of items) expect(item).not.toHaveProperty('apiKeyValue');
      seen.push(...items.map((item) => String(item.tenantId)));
      nextToken = page.body.nextToken as string | undefined;
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([a.tenantId, b.tenantId]));

    const suspendedPremium = await call({
      method: 'GET',
      resource: '/tenants',
      query: { status: 'SUSPENDED', tier: 'premium', limit: '100' },
    });
    const items = suspendedPremium.body.items as Array<Record<string, unknown>>;
    expect(items.map((item) => item.tenantId)).toContain(b.tenantId);
    expect(items.map((item) => item.tenantId)).not.toContain(a.tenantId);
    for (const item of items) expect(item).toMatchObject({ status: 'SUSPENDED', tier: 'premium' });
  });

  it('answers an unknown status or tier filter with 400 naming it', async () => {
    const badTier = await call({ method: 'GET', resource: '/tenants', query: { tier: 'gold' } });
    expect(badTier.status).toBe(400);
    expect(badTier.body.message).toMatch(/tier/);
    const badStatus = await call({ method: 'GET', resource: '/tenants', query: { status: 'GONE' } });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.message).toMatch(/status/);
  });
});

describe('PATCH /tenants/{tenantId}', () => {
  it('moves the tenant and its API key to the new tier’s usage plan, and records who did it', async () => {
    const { tenantId, apiKeyId } = await onboarded('basic');
    const changed = await patchTier(tenantId, { tier: 'premium' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ tenantId, tier: 'premium', status: 'ACTIVE' });
    expect(planes.plansOf(apiKeyId)).toEqual([PLAN_IDS.premium]);
    const [entry] = (await listAudit(TEST_ENV.TABLE_NAME, tenantId, { limit: 1 })).items;
    expect(entry).toMatchObject({
      action: 'tenant.change-tier',
      actor: { kind: 'operator', id: OPERATOR_ARN },
      target: { type: 'tenant', id: tenantId },
      details: { from: 'basic', to: 'premium' },
    });
    // The same tier again changes and records nothing.
    expect((await patchTier(tenantId, { tier: 'premium' })).status).toBe(200);
    expect(await auditActions(tenantId)).toEqual(['tenant.change-tier']);
  });

  it("carries the period's usage over: N requests on basic are N used of the premium quota after the move", async () => {
    const { tenantId, apiKeyId } = await onboarded('basic');
    expect(sendRequests('basic', apiKeyId, 7).every(Boolean)).toBe(true);
    expect((await patchTier(tenantId, { tier: 'premium' })).status).toBe(200);
    const shown = await call(tenantPath(tenantId));
    expect(shown.body.usage).toMatchObject({
      plan: { id: PLAN_IDS.premium },
      quota: { limit: 1000, used: 7, remaining: 993 },
    });
    // The gateway enforces the carried-over use: 993 more requests pass, the next one is over quota.
    expect(sendRequests('premium', apiKeyId, 993).every(Boolean)).toBe(true);
    expect(sendRequests('premium', apiKeyId, 1)).toEqual([false]);
    // Sending the same tier again (a retried request) leaves the use as it is instead of resetting it.
    expect((await patchTier(tenantId, { tier: 'premium' })).status).toBe(200);
    expect((await call(tenantPath(tenantId))).body.usage).toMatchObject({
      quota: { used: 1000, remaining: 0 },
    });
  });

  it('leaves no quota when the use so far exceeds the new tier’s limit (a downgrade), never a negative one', async () => {
    const { tenantId, apiKeyId } = await onboarded('premium');
    sendRequests('premium', apiKeyId, 150);
    expect((await patchTier(tenantId, { tier: 'basic' })).status).toBe(200);
    expect((await call(tenantPath(tenantId))).body.usage).toMatchObject({
      plan: { id: PLAN_IDS.basic },
      quota: { limit: 100, used: 100, remaining: 0 },
    });
    expect(sendRequests('basic', apiKeyId, 1)).toEqual([false]);
  });

  it('answers a tier that does not exist with 400 naming it, and an unknown tenant with 404', async () => {
    const { tenantId, apiKeyId } = await onboarded('basic');
    const bad = await patchTier(tenantId, { tier: 'gold' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/tier/);
    expect(planes.plansOf(apiKeyId)).toEqual([PLAN_IDS.basic]);
    expect((await patchTier(newTenantId(), { tier: 'premium' })).status).toBe(404);
  });
});

describe('POST /tenants/{tenantId}/suspend and /reactivate', () => {
  it('suspends: the status, the disabled key, the flushed authorizer cache and the audit entry; reactivation restores them', async () => {
    const { tenantId, apiKeyId } = await onboarded();
    cacheAuthorizerDecision('token-of-a-user');
    const suspended = await suspend(tenantId);
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ tenantId, status: 'SUSPENDED', connectionsClosed: 0 });
    expect(keyEnabled(apiKeyId)).toBe(false);
    expect(
      planes.authorizerCaches.get(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, 'token-of-a-user'),
    ).toBeUndefined();
    expect((await call(tenantPath(tenantId))).body.status).toBe('SUSPENDED');

    cacheAuthorizerDecision('a-cached-refusal');
    const reactivated = await reactivate(tenantId);
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ tenantId, status: 'ACTIVE' });
    expect(keyEnabled(apiKeyId)).toBe(true);
    expect(
      planes.authorizerCaches.get(TEST_ENV.REST_API_ID, TEST_ENV.STAGE_NAME, 'a-cached-refusal'),
    ).toBeUndefined();
    expect(await auditActions(tenantId)).toEqual(['tenant.reactivate', 'tenant.suspend']);
  });

  it('answers an illegal transition with 409 and the current status, recording nothing', async () => {
    const { tenantId } = await onboarded();
    const reactivateActive = await reactivate(tenantId);
    expect(reactivateActive.status).toBe(409);
    expect(reactivateActive.body).toMatchObject({ code: 'Conflict', status: 'ACTIVE' });
    expect((await suspend(tenantId)).status).toBe(200);
    const twice = await suspend(tenantId);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ status: 'SUSPENDED', message: expect.stringMatching(/SUSPENDED/) });
    expect(await auditActions(tenantId)).toEqual(['tenant.suspend']);
    expect((await suspend(newTenantId())).status).toBe(404);
  });

  it('completes a suspension whose key update failed when the operator sends it again', async () => {
    const { tenantId, apiKeyId } = await onboarded();
    // API Gateway throttling the key update: a fault no engine can be made to produce.
    const fault = mockClient(APIGatewayClient);
    fault.send.callThrough();
    fault
      .on(UpdateApiKeyCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    try {
      const failed = await suspend(tenantId);
      expect(failed.status).toBe(500);
      expect(keyEnabled(apiKeyId)).toBe(true);
    } finally {
      fault.restore();
    }
    const retried = await suspend(tenantId);
    expect(retried.status).toBe(409);
    expect(retried.body).toMatchObject({ status: 'SUSPENDED' });
    expect(keyEnabled(apiKeyId)).toBe(false);
  });
});
