/**
 * End to end, the README's "After `cdk deploy`" walkthrough on the local cloud: the operator onboards a tenant
 * (SigV4), its admin signs in with `npm run token` by SRP from the stack outputs (answering NEW_PASSWORD_REQUIRED
 * with the temporary password of the invitation), places an order with the ID token and sees it on the WebSocket.
 * The CLI is the same code that signs in to a deployed stage; only the outputs differ.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { callApi, type E2eCloud, sigV4Headers, startE2eCloud } from '../support/e2e-cloud';
import { LiveSocket } from '../support/live-socket';

const ROOT = join(__dirname, '..', '..');
const ADMIN = 'admin@walkthrough.example.com';
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

/** POST /tenants, signed, resent on 429 as an SDK would (the seed has just spent the throttle's burst). */
async function onboard(): Promise<string> {
  const url = `${outputs.RestApiUrl}tenants`;
  const payload = JSON.stringify({ name: 'Walkthrough Co', tier: 'basic', adminEmail: ADMIN });
  for (let attempt = 1; ; attempt++) {
    const headers = await sigV4Headers(url, payload, e2e.cloud.model.region);
    const response = await fetch(url, { method: 'POST', headers, body: payload });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 429 || attempt === 10) {
      expect(response.status).toBe(201);
      return String(body.tenantId);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }
}

describe('after cdk deploy: a tenant, a signed-in admin, an order, a live update', () => {
  it('walks the README with the same CLI that signs in to a deployed stage', async () => {
    const tenantId = await onboard();

    // The invitation Cognito e-mails (locally: printed to the log) carries the temporary password.
    const temporary = e2e.cloud.identity.pool(outputs.UserPoolId ?? '').requireUser(ADMIN).password;
    const { stdout } = await run(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'bin', 'token.ts'), '--username', ADMIN, '--outputs', outputsFile],
      {
        cwd: ROOT,
        env: { ...process.env, SAAS_PASSWORD: temporary, SAAS_NEW_PASSWORD: 'Walkthrough-Pass-42' },
      },
    );
    const idToken = stdout.trim();
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
  });
});
