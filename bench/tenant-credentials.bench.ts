/**
 * `npm run bench:tenant-creds`: the cost of tenant-scoped credentials on the local cloud (IAM enforced). A small app
 * of our own (test/support/tenant-credentials-app.ts: the product's TenantDataRole and shared/tenant-credentials.ts,
 * one function) answers three kinds of request, each one GetItem:
 * - baseline: with the function's own role (no STS);
 * - tenant not yet cached: the first request of a fresh tenant (AssumeRole + new clients + the read);
 * - tenant cached: the next request of the same tenant (the read with cached credentials).
 * Latencies are end to end through the local REST API, on a shared, noisy machine: read the ratios and the
 * differences, not the absolute ms. STS calls are counted by a loopback proxy in front of the local STS (an extra
 * service of the local cloud that takes over `AWS_ENDPOINT_URL_STS`), so every AssumeRole a function sends is seen.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { LocalService } from 'cdk-local-cloud';
import { startTenantCredentialsApp } from '../test/support/tenant-credentials-app';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 40);
const say = (line: string) => process.stdout.write(`${line}\n`);

/** A loopback proxy to the local STS that counts the requests through it; functions reach it as their STS. */
function stsCounter() {
  let target = '';
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  });
  const service: LocalService = {
    name: 'sts-counter',
    resourceTypes: { emulated: [] },
    async bind() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return {
        functionEnv: { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` },
        start: async () => ({}),
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
  };
  return {
    service,
    forwardTo: (url: string) => {
      target = url;
    },
    get calls() {
      return calls;
    },
  };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const p90 = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? Number.NaN;
};
const tenant = (run: string, n: number) => `t${run}${String(n).padStart(16 - run.length, '0')}`;

async function main(): Promise<void> {
  const sts = stsCounter();
  say('synthesizing and starting the local cloud (IAM enforced)…');
  const app = await startTenantCredentialsApp(
    join(__dirname, '..', 'test', 'e2e', 'fixtures', 'cross-tenant-handler.ts'),
    {
      extraServices: [sts.service],
      throttling: false,
    },
  );
  try {
    sts.forwardTo(app.cloud.endpoints.find((e) => e.kind === 'STS')?.url ?? '');
    const timed = async (query: Record<string, string>) => {
      const began = performance.now();
      const response = await fetch(`${app.url}?${new URLSearchParams(query)}`);
      const body = (await response.json()) as { ok: boolean; name?: string; message?: string };
      const ms = performance.now() - began;
      if (!body.ok) throw new Error(`${JSON.stringify(query)} failed: ${body.name}: ${body.message}`);
      return ms;
    };
    // Warm the execution environment (cold start, connection pool) before anything is measured.
    for (let i = 0; i < 10; i++) await timed({ action: 'baseline' });
    await timed({ action: 'get', caller: tenant('w', 0), target: tenant('w', 0) });

    const run = Date.now()
      .toString(36)
      .slice(-4)
      .replace(/[^0-9a-z]/g, '0');
    const baseline: number[] = [];
    const uncached: number[] = [];
    const cached: number[] = [];
    let stsUncached = 0;
    let stsCached = 0;
    // Interleaved, so drift in the machine's load touches every kind alike.
    for (let n = 0; n < TENANTS; n++) {
      const id = tenant(run, n);
      baseline.push(await timed({ action: 'baseline' }));
      let before = sts.calls;
      uncached.push(await timed({ action: 'get', caller: id, target: id }));
      stsUncached += sts.calls - before;
      before = sts.calls;
      for (let repeat = 0; repeat < 3; repeat++)
        cached.push(await timed({ action: 'get', caller: id, target: id }));
      stsCached += sts.calls - before;
    }

    const row = (label: string, values: readonly number[]) =>
      say(
        `${label.padEnd(34)} median ${median(values).toFixed(1).padStart(6)} ms   p90 ${p90(values).toFixed(1).padStart(6)} ms   (n=${values.length})`,
      );
    say(
      `\n${TENANTS} fresh tenants, each: 1 request not yet cached, then 3 cached; a baseline request between tenants\n`,
    );
    row('baseline (own role, no STS)', baseline);
    row('tenant not yet cached', uncached);
    row('tenant cached', cached);
    const base = median(baseline);
    say('');
    say(
      `added latency, not yet cached   ${(median(uncached) - base).toFixed(1)} ms (median), ×${(median(uncached) / base).toFixed(2)} of baseline`,
    );
    say(
      `added latency, cached           ${(median(cached) - base).toFixed(1)} ms (median), ×${(median(cached) / base).toFixed(2)} of baseline`,
    );
    say(`STS calls per request, not yet cached   ${(stsUncached / uncached.length).toFixed(2)}`);
    say(`STS calls per request, cached           ${(stsCached / cached.length).toFixed(2)}`);
    say(
      '\n(local cloud on a shared, noisy machine: compare the ratios and differences, not the absolute ms)',
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
