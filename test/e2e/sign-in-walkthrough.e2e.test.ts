/**
 * End to end, the README's "After `cdk deploy`" walkthrough on the local cloud: the operator onboards a tenant
 * (SigV4), its admin signs in with `npm run saas -- sign-in` by SRP from the stack outputs (answering NEW_PASSWORD_REQUIRED
 * with the temporary password of the invitation), places an order with the ID token and sees it on the WebSocket; then
 * invites a member with `npm run saas -- users invite`, who signs in answering NEW_PASSWORD_REQUIRED in turn and orders.
 * The CLI is the same code that signs in to a deployed stage; only the outputs differ.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { callApi, type E2eCloud, startE2eCloud } from '../support/e2e-cloud';
import { LiveSocket } from '../support/live-socket';

const ROOT = join(__dirname, '..', '..');
const ADMIN = 'admin@walkthrough.example.com';
const MEMBER = 'member@walkthrough.example.com';
const run = promisify(execFile);

let e2e: E2eCloud;
let work: string;
let outputsFile: string;
let outputs: Record<string, string>;
const sockets: LiveSocket[] = [];

beforeAll(async () => {
  e2e = await startE2eCloud();
  work = mkdtempSync(join(tmpdir(), 'walkthrough-'));
  outputsFile = join(work, 'outputs.json');
  // What `cdk deploy --outputs-file` writes, here with the local cloud's values: the same keys.
  writeFileSync(outputsFile, JSON.stringify(e2e.cloud.model.outputs));
  outputs = Object.assign({}, ...Object.values(e2e.cloud.model.outputs ?? {}));
}, 600_000);

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await e2e?.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * `npm run saas -- …` as the README runs it, secrets in the environment, tokens kept in the test's folder (one
 * folder per person: the admin's and the member's terminals).
 */
function saas(args: string[], env: Record<string, string> = {}, person = 'admin') {
  return run(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [join(ROOT, 'bin', 'saas.ts'), ...args, '--outputs', outputsFile],
    {
      cwd: ROOT,
      env: { ...process.env, SAAS_STATE_DIR: join(work, `state-${person}`), ...env },
    },
  );
}

describe('after cdk deploy: a tenant, a signed-in admin, an order, a live update, an invited member', () => {
  it('walks the README with the same CLI that signs in to a deployed stage', async () => {
    // The operator onboards (SigV4 with the local cloud's fake credentials; resent on 429, the seed having just
    // spent the throttle's burst).
    const onboarded = await saas(['onboard', '--name', 'Walkthrough Co', '--admin-email', ADMIN]);
    const tenantId = String((JSON.parse(onboarded.stdout) as Record<string, unknown>).tenantId);

    // The invitation Cognito e-mails (locally: printed to the log) carries the temporary password.
    const temporary = e2e.cloud.identity.pool(outputs.UserPoolId ?? '').requireUser(ADMIN).password;
    await saas(['sign-in', '--username', ADMIN], {
      SAAS_PASSWORD: temporary,
      SAAS_NEW_PASSWORD: 'Walkthrough-Pass-42',
    });
    const idToken = (await saas(['token'])).stdout.trim();
    const me = JSON.parse((await saas(['whoami'])).stdout) as Record<string, unknown>;
    expect(JSON.stringify(me)).toContain(tenantId);
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ 'custom:tenantId': tenantId, 'custom:role': 'admin', email: ADMIN });

    // The admin fills the catalog (PUT /catalog, Cognito authorizer, admin group), then orders from it.
    const item = await callApi(`${outputs.RestApiUrl}catalog/WIDGET-1`, 'PUT', {
      authorization: `Bearer ${idToken}`,
      body: { name: 'Widget', price: 1250, currency: 'EUR', public: false },
    });
    expect(item.status).toBeLessThan(300);

    const socket = await LiveSocket.open(outputs.WebSocketUrl ?? '', idToken);
    sockets.push(socket);
    const order = await callApi(`${outputs.RestApiUrl}orders`, 'POST', {
      authorization: `Bearer ${idToken}`,
      body: { items: [{ sku: 'WIDGET-1', quantity: 1 }] },
    });
    expect(order.status).toBe(201);
    expect(await socket.next()).toMatchObject({ type: 'order', id: order.body.orderId, status: 'pending' });

    // The admin invites a member (POST /users); the invitation (the local cloud's log) carries its temporary password.
    const invited = JSON.parse(
      (await saas(['users', 'invite', '--email', MEMBER, '--role', 'member'])).stdout,
    ) as Record<string, unknown>;
    expect(invited).toMatchObject({
      email: MEMBER,
      role: 'member',
      enabled: true,
      status: 'FORCE_CHANGE_PASSWORD',
    });
    const memberTemporary = e2e.cloud.identity.pool(outputs.UserPoolId ?? '').requireUser(MEMBER).password;
    await saas(
      ['sign-in', '--username', MEMBER],
      { SAAS_PASSWORD: memberTemporary, SAAS_NEW_PASSWORD: 'Member-Pass-4242' },
      'member',
    );
    const memberMe = JSON.parse((await saas(['whoami'], {}, 'member')).stdout) as Record<string, unknown>;
    expect(memberMe).toMatchObject({ tenantId, role: 'member' });
    const memberToken = (await saas(['token'], {}, 'member')).stdout.trim();
    const memberOrder = await callApi(`${outputs.RestApiUrl}orders`, 'POST', {
      authorization: `Bearer ${memberToken}`,
      body: { items: [{ sku: 'WIDGET-1', quantity: 2 }] },
    });
    expect(memberOrder.status).toBe(201);
    const listed = JSON.parse((await saas(['users', 'list'])).stdout) as Array<Record<string, unknown>>;
    expect(listed.map((user) => user.email).sort()).toEqual([ADMIN, MEMBER]);
    const usage = JSON.parse((await saas(['usage'])).stdout) as Record<string, unknown>;
    expect(usage).toMatchObject({
      tenantId,
      quota: { used: expect.any(Number), remaining: expect.any(Number) },
    });
    expect((usage.quota as { used: number }).used).toBeGreaterThanOrEqual(4); // at least the orders and /users calls
    // Eleven CLI runs, each a Node.js start with tsx: minutes on a loaded 2-core machine, not jest's minute.
  }, 300_000);
});
