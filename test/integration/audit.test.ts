import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type AuditRecord, listAudit, recordAudit } from '../../shared/audit';
import { tenantId } from '../../shared/ids';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { TEST_ENV } from '../support/test-env';

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
