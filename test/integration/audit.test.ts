import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { readAuditConfig } from '../../services/audit/config';
import { createAuditHandler } from '../../services/audit/handler';
import { type AuditRecord, listAudit, recordAudit } from '../../shared/audit';
import { tenantId } from '../../shared/ids';
import { lambdaAuthorizerEvent } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { invoke, member } from '../support/orders-fixtures';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

let engine: DynamoEngine;
beforeAll(async () => {
  engine = await startDynamo();
});
afterAll(async () => engine?.stop());

const suspend = (requestId: string): AuditRecord => ({
  actor: { kind: 'operator', id: 'arn:aws:iam::123456789012:user/ops' },
  action: 'tenant.suspend',
  target: { type: 'tenant', id: 'x' },
  requestId,
});

describe('audit trail', () => {
  it('lists a tenant’s entries newest first, page by page, with every recorded field', async () => {
    const tenant = tenantId();
    const base = Date.parse('2026-12-01T10:00:00.000Z');
    for (let i = 0; i < 5; i++) {
      await recordAudit(TEST_ENV.TABLE_NAME, tenant, suspend(`req-${i}`), { now: new Date(base + i * 1000) });
    }
    const first = await listAudit(TEST_ENV.TABLE_NAME, tenant, { limit: 2 });
    expect(first.items.map((e) => e.requestId)).toEqual(['req-4', 'req-3']);
    expect(first.items[0]).toMatchObject({
      actor: { kind: 'operator', id: 'arn:aws:iam::123456789012:user/ops' },
      action: 'tenant.suspend',
      target: { type: 'tenant', id: 'x' },
      at: '2026-12-01T10:00:04.000Z',
    });
    const second = await listAudit(TEST_ENV.TABLE_NAME, tenant, { limit: 2, nextToken: first.nextToken });
    const third = await listAudit(TEST_ENV.TABLE_NAME, tenant, { limit: 2, nextToken: second.nextToken });
    expect([...second.items, ...third.items].map((e) => e.requestId)).toEqual(['req-2', 'req-1', 'req-0']);
    expect(third.nextToken).toBeUndefined();
  });

  it('never shows one tenant another tenant’s entries, and refuses a token from another tenant’s trail', async () => {
    const [a, b] = [tenantId(), tenantId()];
    await recordAudit(TEST_ENV.TABLE_NAME, a, suspend('a-1'));
    await recordAudit(TEST_ENV.TABLE_NAME, a, suspend('a-2'));
    await recordAudit(TEST_ENV.TABLE_NAME, b, suspend('b-1'));
    expect((await listAudit(TEST_ENV.TABLE_NAME, b, { limit: 10 })).items.map((e) => e.requestId)).toEqual([
      'b-1',
    ]);
    const page = await listAudit(TEST_ENV.TABLE_NAME, a, { limit: 1 });
    await expect(listAudit(TEST_ENV.TABLE_NAME, b, { limit: 1, nextToken: page.nextToken })).rejects.toThrow(
      'nextToken is invalid',
    );
  });

  it('stores entries under the tenant’s key prefix with no expiry, so they go with the tenant at erasure', async () => {
    const tenant = tenantId();
    await recordAudit(TEST_ENV.TABLE_NAME, tenant, suspend('r'));
    const { Items = [] } = await engine.client.send(new ScanCommand({ TableName: TEST_ENV.TABLE_NAME }));
    const mine = Items.map((i) => unmarshall(i)).filter((i) => i.requestId === 'r');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.PK).toBe(`TENANT#${tenant}#AUDIT`);
    expect(mine[0]).not.toHaveProperty('expiresAt');
  });

  it('refuses to record an action that is not <entity>.<verb>', async () => {
    await expect(
      recordAudit(TEST_ENV.TABLE_NAME, tenantId(), { ...suspend('r'), action: 'Suspend Tenant' }),
    ).rejects.toThrow(/invalid audit entry/);
  });
});

describe('GET /audit', () => {
  const handler = createAuditHandler(readAuditConfig(TEST_ENV), UNSCOPED_TENANT_DATA);
  const get = (tenant: string, role: 'admin' | 'member', query?: Record<string, string>) =>
    invoke<{ items: Array<Record<string, unknown>>; nextToken?: string; message?: string }>(
      handler,
      lambdaAuthorizerEvent(
        { method: 'GET', resource: '/audit', ...(query ? { query } : {}) },
        { ...member(tenant), role },
      ),
    );

  it('shows a tenant admin its own trail, newest first, a page at a time', async () => {
    const [mine, other] = [tenantId(), tenantId()];
    const base = Date.parse('2026-12-02T08:00:00.000Z');
    for (let i = 0; i < 3; i++) {
      await recordAudit(TEST_ENV.TABLE_NAME, mine, suspend(`mine-${i}`), { now: new Date(base + i) });
    }
    await recordAudit(TEST_ENV.TABLE_NAME, other, suspend('other'));
    const first = await get(mine, 'admin', { limit: '2' });
    expect(first.statusCode).toBe(200);
    expect(first.body.items.map((e) => e.requestId)).toEqual(['mine-2', 'mine-1']);
    const rest = await get(mine, 'admin', { limit: '2', nextToken: String(first.body.nextToken) });
    expect(rest.body.items.map((e) => e.requestId)).toEqual(['mine-0']);
    expect(rest.body.nextToken).toBeUndefined();
  });

  it('refuses a member with 403 and a bad page size with 400 naming it', async () => {
    const tenant = tenantId();
    expect((await get(tenant, 'member')).statusCode).toBe(403);
    const bad = await get(tenant, 'admin', { limit: '1000' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.message).toMatch(/limit/);
  });
});
