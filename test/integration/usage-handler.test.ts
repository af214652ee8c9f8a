import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { readUsageConfig } from '../../services/usage/config';
import { createUsageHandler } from '../../services/usage/handler';
import { tenantProfileCodec } from '../../shared/codecs/tenant-profile-codec';
import { documentClient } from '../../shared/dynamo';
import { tenantId as newTenantId } from '../../shared/ids';
import { quotaPeriodStart } from '../../shared/tenant-usage';
import { lambdaAuthorizerEvent } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type LocalControlPlanes, startLocalControlPlanes } from '../support/local-control-planes';
import { invoke, member } from '../support/orders-fixtures';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

const handler = createUsageHandler(readUsageConfig(TEST_ENV), undefined, UNSCOPED_TENANT_DATA);
const PLAN = {
  id: 'plan-basic',
  name: TEST_ENV.BASIC_USAGE_PLAN_NAME,
  properties: {
    Throttle: { RateLimit: 10, BurstLimit: 20 },
    Quota: { Limit: 10_000, Period: 'MONTH' },
  },
};

// The handler reads API Gateway's usage records from the local control plane (real SDK client, real HTTP), whose
// meter is the one the local REST API counts requests with; the test counts requests on it directly.
let engine: DynamoEngine;
let planes: LocalControlPlanes;
beforeAll(async () => {
  engine = await startDynamo();
  planes = await startLocalControlPlanes({ userPoolId: TEST_ENV.USER_POOL_ID, usagePlans: [PLAN] });
}, 30_000);
afterAll(async () => {
  await planes?.stop();
  await engine?.stop();
});

/** A tenant with its own key on the basic plan, as onboarding leaves it. */
async function tenantWithKey(): Promise<{ tenantId: string; keyId: string }> {
  const tenantId = newTenantId();
  const key = planes.apiKeys.createApiKey({ name: tenantId, enabled: true });
  planes.apiKeys.addUsagePlanKey(PLAN.id, key.id);
  await documentClient.send(
    new PutCommand({
      TableName: TEST_ENV.TABLE_NAME,
      Item: tenantProfileCodec.toItem({
        tenantId,
        name: `Tenant ${tenantId}`,
        tier: 'basic',
        status: 'ACTIVE',
        apiKeyId: key.id,
        apiKeyValue: key.value,
        adminEmail: `admin@${tenantId}.example.com`,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      }),
    }),
  );
  return { tenantId, keyId: key.id };
}

const getUsage = (tenantId: string) =>
  invoke<Record<string, unknown>>(
    handler,
    lambdaAuthorizerEvent({ method: 'GET', resource: '/usage' }, member(tenantId)),
  );

describe('GET /usage', () => {
  it("answers the tenant's tier, plan limits and this period's quota use from the gateway's records for its key", async () => {
    const { tenantId } = await tenantWithKey();
    const response = await getUsage(tenantId);
    expect(response.statusCode).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(response.body).toEqual({
      tenantId,
      tier: 'basic',
      plan: { id: PLAN.id, name: PLAN.name },
      throttle: { rateLimit: 10, burstLimit: 20 },
      quota: {
        limit: 10_000,
        period: 'MONTH',
        periodStart: quotaPeriodStart('MONTH', new Date()),
        asOf: today,
        used: 0,
        remaining: 10_000,
      },
    });
  });

  it("moves with the tenant's own requests only: used up and remaining down by what its key was charged", async () => {
    const { tenantId, keyId } = await tenantWithKey();
    const other = await tenantWithKey();
    const quota = { limit: 10_000, period: 'MONTH' as const, offset: 0 };
    for (let request = 0; request < 7; request += 1) planes.meter.consume(`${PLAN.id}/${keyId}`, quota);
    planes.meter.consume(`${PLAN.id}/${other.keyId}`, quota);

    const response = await getUsage(tenantId);

    expect(response.body.quota).toMatchObject({ used: 7, remaining: 9_993 });
    expect((await getUsage(other.tenantId)).body.quota).toMatchObject({ used: 1, remaining: 9_999 });
  });
});

describe('quotaPeriodStart', () => {
  it.each([
    ['MONTH', '2026-12-07T21:00:00Z', '2026-12-01'],
    ['WEEK', '2026-12-07T21:00:00Z', '2026-12-07'],
    ['WEEK', '2026-12-06T21:00:00Z', '2026-11-30'],
    ['DAY', '2026-12-07T23:59:59Z', '2026-12-07'],
  ] as const)('starts a %s period containing %s on %s (weeks on Monday, UTC)', (period, now, start) => {
    expect(quotaPeriodStart(period, new Date(now))).toBe(start);
  });
});
