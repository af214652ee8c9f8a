/**
 * `npm run bench`: warm throughput of the local REST API, reported as a ratio against a baseline measured in the
 * same run on the same server (a CORS preflight answered by a MOCK integration: gateway pipeline, no Lambda), so
 * the numbers mean something on a shared, noisy machine. Throttling is off so the pipeline, not the configured
 * limits, is measured. Also prints each function's bundle size.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEMO_TENANTS, demoUsername } from '../bin/demo-seed';
import { runBench } from './bench-cloud';
import { benchIngestEvents } from './ingest-events.bench';
import { benchPublicCatalog } from './public-api.bench';

async function run(title: string, url: string, headers: Record<string, string>, method: 'GET' | 'OPTIONS') {
  const result = await autocannon({ url, headers, method, connections: 10, duration: 10 });
  const non2xx = result.non2xx;
  process.stdout.write(
    `${title.padEnd(34)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   non-2xx ${non2xx}\n`,
  );
  return result.requests.average;
}

/** Each function's bundle as synthesized (minified, SDK bundled): what a cold start loads. */
function printBundleSizes(cdkOut: string): void {
  process.stdout.write('\nbundle sizes (minified, SDK bundled):\n');
  for (const entry of readdirSync(cdkOut).filter((d) => d.startsWith('asset.'))) {
    const file = join(cdkOut, entry, 'index.js');
    try {
      process.stdout.write(`  ${entry.slice(0, 18)}…  ${(statSync(file).size / 1024).toFixed(0)} KB\n`);
    } catch {
      // not a function bundle
    }
  }
}

runBench(
  'rest',
  async ({ session, seeded }) => {
    // Throttling is off (see startLocalCloud): with it on, both runs would measure the stage ceiling and the plans' limits.
    const tenant = DEMO_TENANTS[1] ?? DEMO_TENANTS[0];
    if (!tenant) throw new Error('no demo tenant');
    const token = session.idToken(demoUsername(tenant, 'member'));
    process.stdout.write('\nautocannon, 10 connections, 10 s each (warm):\n');
    const baseline = await run(
      'OPTIONS /orders (MOCK, baseline)',
      `${session.apiUrl}/orders`,
      { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
      'OPTIONS',
    );
    const orders = await run(
      'GET /orders (authorized)',
      `${session.apiUrl}/orders?limit=20`,
      { authorization: `Bearer ${token}` },
      'GET',
    );
    process.stdout.write(`\nGET /orders / baseline = ${(orders / baseline).toFixed(2)}\n`);
    await benchIngestEvents({ apiUrl: session.apiUrl, token, baseline });
    await benchPublicCatalog(session, seeded, { baseline, orders });
  },
  { afterSynth: printBundleSizes },
);
