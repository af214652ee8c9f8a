/**
 * `npm run bench:live`: local end-to-end latency of a live update, from sending `PATCH /orders/{id}` to the
 * change arriving on a WebSocket of the order's tenant (REST API → orders λ → DynamoDB → stream capture →
 * stream poller → broadcaster λ → @connections → socket), over 200 sequential changes. The PATCH's own
 * response time is measured in the same run as the baseline, so the ratio means something on a noisy machine.
 */
import WebSocket from 'ws';
import { DEMO_TENANTS, demoUsername } from '../bin/demo-seed';
import { runBench } from './bench-cloud';

const CHANGES = 200;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const summary = (title: string, samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const [p50, p99] = [percentile(sorted, 50), percentile(sorted, 99)];
  process.stdout.write(
    `${title.padEnd(40)} p50 ${p50.toFixed(1)} ms   p99 ${p99.toFixed(1)} ms   max ${sorted.at(-1)?.toFixed(1)} ms\n`,
  );
  return p50;
};

runBench('live', async ({ cloud, session }) => {
  const [acme] = DEMO_TENANTS;
  if (!acme) throw new Error('no demo tenant');
  const token = session.idToken(demoUsername(acme, 'member'));
  const wsUrl = cloud.endpoints.find((e) => e.kind === 'WebSocket API')?.url;
  if (!wsUrl) throw new Error('no WebSocket API');

  const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const arrivals = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  socket.on('message', (data) => {
    const { version } = JSON.parse(data.toString()) as { version: number };
    arrivals.set(version, performance.now());
    waiting.get(version)?.();
  });
  const arrived = (version: number) =>
    arrivals.has(version) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(version, resolve));

  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${session.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { orderId: string; version: number };
    if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status}`);
    return json;
  };
  const order = await call('POST', '/orders', { items: [{ sku: 'WIDGET-1', quantity: 1 }] });
  await arrived(order.version);

  const endToEnd: number[] = [];
  const patchResponse: number[] = [];
  let version = order.version;
  for (let i = 0; i < CHANGES + 10; i++) {
    const started = performance.now();
    const patched = await call('PATCH', `/orders/${order.orderId}`, { version, note: `change ${i}` });
    const responded = performance.now();
    await arrived(patched.version);
    version = patched.version;
    // The first 10 warm the functions' execution environments; they are not counted.
    if (i < 10) continue;
    patchResponse.push(responded - started);
    endToEnd.push((arrivals.get(version) ?? Number.NaN) - started);
  }
  socket.close();
  process.stdout.write(`\n${CHANGES} sequential changes of one order, one socket listening:\n`);
  const base = summary('PATCH response (baseline)', patchResponse);
  const live = summary('PATCH sent → message on the socket', endToEnd);
  process.stdout.write(`ratio (p50): ${(live / base).toFixed(2)}× the PATCH's own response time\n`);
});
