import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '../../api-keys/api-key-store';
import { UsageMeter } from '../../gateway/usage-meter';
import type { LocalCloudModel, LocalResource } from '../../model';

const resource = (logicalId: string, type: string, properties: Record<string, unknown>): LocalResource => ({
  stackName: 'S',
  logicalId,
  type,
  physicalId: logicalId,
  properties,
  attributes: {},
});

const model: LocalCloudModel = {
  region: 'us-east-1',
  accountId: '123456789012',
  resources: [
    resource('plan01', 'AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'basic',
      ApiStages: [{ ApiId: 'api01', Stage: 'dev' }],
    }),
    resource('templateKey', 'AWS::ApiGateway::ApiKey', { Enabled: true }),
  ],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-persist-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store as the local cloud builds it at start: persisted state first, then the template. */
function restartedStore(): ApiKeyStore {
  const store = new ApiKeyStore();
  store.persistIn(dir);
  store.load(model);
  return store;
}

describe('API keys under --persist', () => {
  it('keeps a key created at run time, its value and its usage plan binding across a restart', () => {
    const before = restartedStore();
    const key = before.createApiKey({ name: 'tenant-acme', enabled: true });
    expect(before.addUsagePlanKey('plan01', key.id)).toBe('created');

    const after = restartedStore();
    expect(after.authorize(key.value, 'api01', ['dev'])?.key).toMatchObject({
      id: key.id,
      name: 'tenant-acme',
    });
    expect(after.usagePlanKeys('plan01').map((k) => k.id)).toEqual([key.id]);
    expect(after.getApiKey(key.id)?.createdDate).toEqual(key.createdDate);
  });

  it('keeps the generated value of a template key without a Value', () => {
    const value = restartedStore().getApiKey('templateKey')?.value;
    expect(value).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(restartedStore().getApiKey('templateKey')?.value).toBe(value);
  });

  it('forgets a deleted key for good', () => {
    const store = restartedStore();
    const key = store.createApiKey({ name: 'gone', enabled: true });
    store.deleteApiKey(key.id);
    expect(restartedStore().getApiKey(key.id)).toBeUndefined();
  });
});

describe('quota counters under --persist', () => {
  it('carries the count of the current period across a restart instead of starting afresh', () => {
    const now = () => Date.UTC(2026, 0, 10);
    const quota = { limit: 3, period: 'MONTH' as const, offset: 0 };
    const before = new UsageMeter(now);
    before.persistQuotasIn(dir);
    expect([before.consume('k', quota), before.consume('k', quota)]).toEqual([true, true]);

    const after = new UsageMeter(now);
    after.persistQuotasIn(dir);
    expect([after.consume('k', quota), after.consume('k', quota)]).toEqual([true, false]);
  });
});
