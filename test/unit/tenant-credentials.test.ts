import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/dynamo';
import { tableClients } from '../../shared/table-clients';
import { type AssumeTenantRole, TenantCredentials } from '../../shared/tenant-credentials';

const ROLE = 'arn:aws:iam::000000000000:role/TenantDataRole';
const A = `ta${'0'.repeat(15)}`;
const B = `tb${'0'.repeat(15)}`;
const tenant = (n: number) => `t${String(n).padStart(16, '0')}`;
const HOUR = 3_600_000;

/** An STS stand-in that counts AssumeRole calls per tenant and issues credentials expiring `durationSeconds` on. */
function countingSts(clock: () => number) {
  const calls: string[] = [];
  const assumeRole: AssumeTenantRole = async (tenantId, durationSeconds) => {
    calls.push(tenantId);
    return {
      accessKeyId: `ASIA${tenantId}${calls.length}`,
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date(clock() + durationSeconds * 1000),
    };
  };
  return { calls, assumeRole };
}

describe('tenant credentials', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = Date.parse('2026-01-01T00:00:00Z');
  });

  it('assumes the role once per tenant while its credentials are cached', async () => {
    const sts = countingSts(clock);
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: sts.assumeRole, clock });
    const first = await cache.credentialsFor(A);
    now += 30 * 60_000;
    const again = await cache.credentialsFor(A);
    await cache.credentialsFor(B);
    expect(again).toBe(first);
    expect(sts.calls).toEqual([A, B]);
  });

  it('shares one AssumeRole between concurrent first requests of a tenant', async () => {
    const sts = countingSts(clock);
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: sts.assumeRole, clock });
    await Promise.all([cache.credentialsFor(A), cache.credentialsFor(A), cache.credentialsFor(A)]);
    expect(sts.calls).toEqual([A]);
  });

  it('assumes the role again once the credentials are within five minutes of expiring', async () => {
    const sts = countingSts(clock);
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: sts.assumeRole, clock });
    const first = await cache.credentialsFor(A);
    now += HOUR - 5 * 60_000 - 1;
    expect(await cache.credentialsFor(A)).toBe(first);
    now += 2;
    const renewed = await cache.credentialsFor(A);
    expect(renewed).not.toBe(first);
    expect(renewed.expiration?.getTime()).toBe(now + HOUR);
    expect(sts.calls).toEqual([A, A]);
  });

  it('does not cache a failed AssumeRole: the next request tries again', async () => {
    let fail = true;
    const sts = countingSts(clock);
    const cache = new TenantCredentials({
      roleArn: ROLE,
      clock,
      assumeRole: async (tenantId, seconds) => {
        if (fail) throw new Error('AccessDenied');
        return sts.assumeRole(tenantId, seconds);
      },
    });
    await expect(cache.credentialsFor(A)).rejects.toThrow('AccessDenied');
    fail = false;
    await expect(cache.credentialsFor(A)).resolves.toMatchObject({ sessionToken: 'token' });
  });

  it('keeps at most maxTenants tenants, dropping the least recently used', async () => {
    const sts = countingSts(clock);
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: sts.assumeRole, clock, maxTenants: 3 });
    for (const n of [1, 2, 3]) await cache.credentialsFor(tenant(n));
    await cache.credentialsFor(tenant(1)); // now the most recently used
    await cache.credentialsFor(tenant(4)); // drops tenant 2
    expect(cache.size).toBe(3);
    await cache.credentialsFor(tenant(1));
    await cache.credentialsFor(tenant(2));
    expect(sts.calls).toEqual([tenant(1), tenant(2), tenant(3), tenant(4), tenant(2)]);
  });

  it('keeps the default bound of 100 tenants', async () => {
    const sts = countingSts(clock);
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: sts.assumeRole, clock });
    for (let n = 0; n < 150; n++) cache.clientsFor(tenant(n));
    expect(cache.size).toBe(100);
  });

  it('gives the same clients to every request of a cached tenant, and other clients to another tenant', () => {
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: countingSts(clock).assumeRole, clock });
    expect(cache.clientsFor(A)).toBe(cache.clientsFor(A));
    expect(cache.clientsFor(A).documentClient).not.toBe(cache.clientsFor(B).documentClient);
  });

  it('signs a tenant client with that tenant session', async () => {
    const sts = countingSts(clock);
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: sts.assumeRole, clock });
    const credentials = await cache.clientsFor(A).documentClient.config.credentials();
    expect(credentials.accessKeyId).toBe(`ASIA${A}1`);
  });

  it('refuses a tenant id that is not one, before any STS call', () => {
    const sts = countingSts(clock);
    const cache = new TenantCredentials({ roleArn: ROLE, assumeRole: sts.assumeRole, clock });
    expect(() => cache.credentialsFor('t1#TENANT#x')).toThrow("invalid tenant id 't1#TENANT#x'");
    expect(sts.calls).toEqual([]);
  });

  it('uses one plain client for every partition when given one (engines with no IAM)', () => {
    const clients = tableClients(documentClient);
    expect(clients.forTenant(A)).toBe(documentClient);
    expect(clients.own).toBe(documentClient);
    expect(documentClient).toBeInstanceOf(DynamoDBDocumentClient);
  });
});
