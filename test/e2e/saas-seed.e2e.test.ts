/**
 * `npm run saas -- seed` as a person runs it (a child process) against an unseeded local cloud, from an outputs file
 * as `cdk deploy --outputs-file` writes one: the path a deployed stage takes (each demo user gets a fresh password
 * with AdminSetUserPassword and signs in by SRP), all through the API. Afterwards each demo tenant has its admin and
 * its invited member, its catalog and its three orders; a second run changes nothing but the passwords.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ACME, callApi, type E2eCloud, GLOBEX, startE2eCloud } from '../support/e2e-cloud';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

let e2e: E2eCloud;
let work: string;
let outputsFile: string;

beforeAll(async () => {
  e2e = await startE2eCloud({ seed: false });
  work = mkdtempSync(join(tmpdir(), 'saas-seed-'));
  outputsFile = join(work, 'outputs.json');
  writeFileSync(outputsFile, JSON.stringify(e2e.cloud.model.outputs));
}, 600_000);

afterAll(async () => {
  await e2e?.close();
  rmSync(work, { recursive: true, force: true });
});

async function seed(): Promise<Map<string, { tenantId: string; slug: string; trackingId: string }>> {
  const { stdout } = await run(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [join(ROOT, 'bin', 'saas.ts'), 'seed', '--outputs', outputsFile],
    { cwd: ROOT, env: { ...process.env, SAAS_STATE_DIR: join(work, 'state') } },
  );
  const lines = new Map<string, { tenantId: string; slug: string; trackingId: string }>();
  for (const match of stdout.matchAll(/^(.+): tenant (\S+), slug (\S+), newest order (\S+)$/gm)) {
    lines.set(match[1] ?? '', { tenantId: match[2] ?? '', slug: match[3] ?? '', trackingId: match[4] ?? '' });
  }
  return lines;
}

describe('npm run saas -- seed', () => {
  it('seeds the demo tenants through the API, idempotently', async () => {
    const first = await seed();
    expect([...first.keys()].sort()).toEqual([ACME.name, GLOBEX.name].sort());

    for (const tenant of [ACME, GLOBEX]) {
      const seeded = first.get(tenant.name);
      const users = await callApi(`${e2e.apiUrl}/users`, 'GET', {
        authorization: `Bearer ${e2e.idToken(tenant, 'admin')}`,
      });
      expect(
        (users.body.items as Array<{ email: string; role: string }>)
          .map((u) => `${u.role} ${u.email}`)
          .sort(),
      ).toEqual([`admin admin@${tenant.slug}.example.com`, `member member@${tenant.slug}.example.com`]);
      const orders = await callApi(`${e2e.apiUrl}/orders`, 'GET', {
        authorization: `Bearer ${e2e.idToken(tenant, 'member')}`,
      });
      expect((orders.body.items as unknown[]).length).toBe(3);
      const tracked = await callApi(`${e2e.publicApiUrl}/public/track/${seeded?.trackingId}`, 'GET');
      expect(tracked.status).toBe(200);
    }

    const second = await seed();
    expect(second).toEqual(first);
    const orders = await callApi(`${e2e.apiUrl}/orders`, 'GET', {
      authorization: `Bearer ${e2e.idToken(ACME, 'member')}`,
    });
    expect((orders.body.items as unknown[]).length).toBe(3);
    // Two seeds of two tenants, each function starting cold once: minutes on a loaded machine.
  }, 300_000);
});
