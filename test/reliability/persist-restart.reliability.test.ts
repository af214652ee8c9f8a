/**
 * `--persist` survives a crash: the local cloud runs in a child process, is killed with SIGKILL in the middle
 * of traffic, and restarted on the same directory and port. Everything acknowledged is there, nothing that
 * was never sent is, the demo seed works again, and a token minted before the crash still verifies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { portDrawRange } from '../../local/loopback-server';
import { productAssembly } from '../support/product-assembly';

interface Ready {
  readonly apiUrl: string;
  readonly tokens: Readonly<Record<string, string>>;
  readonly endpoints: ReadonlyArray<{ readonly kind: string; readonly url: string }>;
}

let work: string;
let cdkOut: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'saas-orders-persist-'));
  cdkOut = await productAssembly();
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/**
 * Starts the local cloud in a child process on `dataDir` (under the work directory) and resolves once it has
 * seeded and printed READY, with how long that took.
 */
function startChild(
  port: number,
  dataDir = 'data',
): Promise<{ child: ChildProcess; ready: Ready; readyMs: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      // tsx as a loader in this one process (its CLI would run a grandchild that SIGKILL would not reach).
      '--import',
      'tsx',
      resolve('test/support/local-cloud-process.ts'),
      '--cdk-out',
      cdkOut,
      '--port',
      String(port),
      '--persist',
      join(work, dataDir),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        const ready = JSON.parse(line.slice('READY '.length)) as Ready;
        resolvePromise({ child, ready, readyMs: Math.round(performance.now() - started) });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the local cloud exited (${code}) before ready: ${err}`)));
  });
}

/**
 * A base port for a cloud restarted on the same ports: below the kernel's ephemeral range (which outgoing
 * connections and `port 0` listeners draw from), with room under it for every service's port (base + ~300).
 */
function fixedPortBlock(): number {
  const { from, to } = portDrawRange();
  return from + 10 * Math.floor(Math.random() * Math.floor((to - 400 - from) / 10));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => child.once('exit', () => resolvePromise()));
}

const order = (note: string) => JSON.stringify({ items: [{ sku: 'WIDGET-1', quantity: 1 }], note });

async function post(ready: Ready, slug: string, note: string): Promise<string | undefined> {
  const response = await fetch(`${ready.apiUrl}/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ready.tokens[slug]}`, 'content-type': 'application/json' },
    body: order(note),
  });
  const body = (await response.json()) as { orderId?: string };
  return response.status === 201 ? body.orderId : undefined;
}

async function notes(ready: Ready, token: string | undefined): Promise<{ status: number; notes: string[] }> {
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const query = `limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
    const response = await fetch(`${ready.apiUrl}/orders?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) return { status: response.status, notes: [] };
    const body = (await response.json()) as { items: Array<{ note?: string }>; nextToken?: string };
    found.push(...body.items.flatMap((item) => (item.note ? [item.note] : [])));
    nextToken = body.nextToken;
  } while (nextToken);
  return { status: 200, notes: found };
}

describe('--persist across a kill -9', () => {
  it('keeps what was acknowledged, keys, quotas, users and signing keys, on the same ports and issuer', async () => {
    // A base well away from the default 3000 and from other runs; every endpoint derives from it.
    const port = fixedPortBlock();
    const first = await startChild(port);
    const tokenBefore = first.ready.tokens.acme;

    const run = `crash-${Date.now()}`;
    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    // Sequential acknowledged writes, then a burst that the kill cuts through.
    for (let i = 0; i < 5; i++) {
      const note = `${run} ${i}`;
      sent.add(note);
      if (await post(first.ready, 'globex', note)) acknowledged.add(note);
    }
    // The kill lands once part of the burst is acknowledged, with the rest in flight or not yet sent.
    let killed = false;
    let onAcknowledged: () => void = () => undefined;
    const someAcknowledged = new Promise<void>((r) => {
      onAcknowledged = r;
    });
    let burstAcknowledged = 0;
    const burst = Array.from({ length: 20 }, async (_, i) => {
      const note = `${run} burst ${i}`;
      await new Promise((r) => setTimeout(r, 20 * i));
      if (killed) return;
      sent.add(note);
      const id = await post(first.ready, 'globex', note).catch(() => undefined); // cut: outcome unknown
      if (id === undefined) return;
      acknowledged.add(note);
      if (++burstAcknowledged >= 3) onAcknowledged();
    });
    await Promise.race([someAcknowledged, new Promise((r) => setTimeout(r, 10_000))]);
    killed = true;
    first.child.kill('SIGKILL');
    await Promise.all(burst);
    await exited(first.child);

    const second = await startChild(port);
    expect(second.ready.endpoints).toEqual(first.ready.endpoints);

    const stored = await notes(second.ready, second.ready.tokens.globex);
    expect(stored.status).toBe(200);
    const mine = stored.notes.filter((note) => note.startsWith(run));
    const lost = [...acknowledged].filter((note) => !mine.includes(note));
    const phantom = mine.filter((note) => !sent.has(note));
    const duplicated = mine.length - new Set(mine).size;
    console.log(
      `Crash and restart: ${sent.size} sent, ${acknowledged.size} acknowledged before the kill, ${mine.length} stored after it; lost ${lost.length}, phantom ${phantom.length}, duplicated ${duplicated}; endpoints: ${second.ready.endpoints.map((e) => `${e.kind} ${e.url}`).join(', ')}`,
    );
    expect({ lost, phantom, duplicated }).toEqual({ lost: [], phantom: [], duplicated: 0 });

    // A token minted before the crash verifies after it (same issuer URL and signing key), and the tenant's
    // API key and usage-plan binding are still there (else 403 INVALID_API_KEY).
    const withOldToken = await notes(second.ready, tokenBefore);
    expect(withOldToken.status).toBe(200);

    const quotas = join(work, 'data', 'rest-api', 'quotas.json');
    expect(existsSync(quotas)).toBe(true);
    const used = Object.values(JSON.parse(readFileSync(quotas, 'utf8')) as Record<string, { used: number }>);
    expect(used.reduce((sum, entry) => sum + entry.used, 0)).toBeGreaterThan(acknowledged.size);

    second.child.kill('SIGTERM');
    await exited(second.child);
  }, 120_000);

  it('projects every event accepted before the kill once restarted, as fast as a normal start', async () => {
    const port = fixedPortBlock();
    const first = await startChild(port, 'events-data');
    const api = first.ready.apiUrl;
    const headers = {
      authorization: `Bearer ${first.ready.tokens.globex}`,
      'content-type': 'application/json',
    };

    // Confirmed orders, each to take one `shipped` event.
    const orderIds: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = await post(first.ready, 'globex', `events ${i}`);
      if (!id) throw new Error('order not created');
      const confirmed = await fetch(`${api}/orders/${id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ version: 1, status: 'confirmed' }),
      });
      expect(confirmed.status).toBe(200);
      orderIds.push(id);
    }

    // A burst shorter than the projector's 1 s batching window, cut by the kill once half of it is accepted: the
    // last events accepted are still on the stream, not yet projected.
    const accepted = new Map<string, string>();
    let killed = false;
    let onHalf: () => void = () => undefined;
    const half = new Promise<void>((r) => {
      onHalf = r;
    });
    const burst = orderIds.map(async (orderId, i) => {
      await new Promise((r) => setTimeout(r, 10 * i));
      if (killed) return;
      const response = await fetch(`${api}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ orderId, type: 'shipped', occurredAt: new Date().toISOString() }),
      }).catch(() => undefined);
      if (response?.status !== 202) return;
      accepted.set(orderId, ((await response.json()) as { eventId: string }).eventId);
      if (accepted.size >= orderIds.length / 2) onHalf();
    });
    await Promise.race([half, new Promise((r) => setTimeout(r, 10_000))]);
    killed = true;
    first.child.kill('SIGKILL');
    await Promise.all(burst);
    await exited(first.child);

    const second = await startChild(port, 'events-data');
    const restarted = performance.now();
    const shipped = async (orderId: string) => {
      const response = await fetch(`${api}/orders/${orderId}`, {
        headers: { authorization: `Bearer ${second.ready.tokens.globex}` },
      });
      const order = (await response.json()) as { status: string; timeline?: Array<{ eventId: string }> };
      return order.timeline?.some((entry) => entry.eventId === accepted.get(orderId)) === true;
    };
    let projected = 0;
    for (let waited = 0; waited < 60_000; waited += 250) {
      projected = (await Promise.all([...accepted.keys()].map(shipped))).filter(Boolean).length;
      if (projected === accepted.size) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const projectedMs = Math.round(performance.now() - restarted);

    // The same data directory, started again after a clean stop with nothing pending: the quiet restart.
    second.child.kill('SIGTERM');
    await exited(second.child);
    const third = await startChild(port, 'events-data');
    third.child.kill('SIGTERM');
    await exited(third.child);
    console.log(
      `Events across a kill -9: ${accepted.size} accepted before the kill, ${projected} projected after the restart (all within ${projectedMs} ms of ready); ready after: first start ${first.readyMs} ms, restart after the kill ${second.readyMs} ms (${(second.readyMs / first.readyMs).toFixed(2)}x), quiet restart ${third.readyMs} ms (${(third.readyMs / first.readyMs).toFixed(2)}x)`,
    );
    expect(accepted.size).toBeGreaterThan(0);
    expect(projected).toBe(accepted.size);
  }, 240_000);
});
