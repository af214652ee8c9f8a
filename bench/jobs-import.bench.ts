/**
 * `npm run bench:jobs`: the async import end to end on the local cloud — 1,000 orders through `POST /jobs`, the
 * queue and the bundled worker, timed from the POST until a poll sees `succeeded` — against a baseline measured in
 * the same run on the same cloud: the same kind of orders created one request at a time through `POST /orders`
 * (10 in flight). Then the worker's bundle against a hello-world bundle built with the same esbuild settings:
 * size, and cold init (a fresh `node` process requiring the bundle, median of 15).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { DEMO_TENANTS, demoUsername } from '../bin/demo-seed';
import { runBench } from './bench-cloud';

const IMPORT_ORDERS = 1000;
const BASELINE_ORDERS = 200;
const INIT_RUNS = 15;

const order = (i: number) => ({
  items: [
    { sku: 'WIDGET-1', quantity: (i % 5) + 1 },
    ...(i % 2 === 0 ? [{ sku: 'GADGET-2', quantity: 1 }] : []),
  ],
});

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Median milliseconds for a fresh node process to load `file` (what Lambda's init does with a bundle). */
function coldInitMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples = Array.from({ length: INIT_RUNS }, () =>
    Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })),
  ).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

function workerBundle(cdkOut: string): string {
  const template = JSON.parse(
    readFileSync(join(cdkOut, 'SaasOrders-dev-Stateless.template.json'), 'utf8'),
  ) as {
    Resources: Record<
      string,
      { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >;
  };
  const fn = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === 'job-worker',
  );
  const asset = fn?.Metadata?.['aws:asset:path'];
  if (typeof asset !== 'string') throw new Error('no job-worker function in the template');
  return join(cdkOut, asset, 'index.js');
}

runBench('jobs', async ({ cdkOut: out, session }) => {
  const tenant = DEMO_TENANTS[0];
  if (!tenant) throw new Error('no demo tenant');
  const headers = {
    authorization: `Bearer ${session.idToken(demoUsername(tenant, 'member'))}`,
    'content-type': 'application/json',
  };

  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < BASELINE_ORDERS) {
        const i = next++;
        await json(
          await fetch(`${session.apiUrl}/orders`, {
            method: 'POST',
            headers,
            body: JSON.stringify(order(i)),
          }),
        );
      }
    }),
  );
  const baselineSeconds = (Date.now() - started) / 1000;
  const baselineRate = BASELINE_ORDERS / baselineSeconds;
  say(
    `\nPOST /orders ×${BASELINE_ORDERS} (10 in flight)   ${baselineSeconds.toFixed(1)} s   ${baselineRate.toFixed(0)} orders/s`,
  );

  const body = JSON.stringify({
    type: 'orders.import',
    orders: Array.from({ length: IMPORT_ORDERS }, (_, i) => order(i)),
  });
  const t0 = Date.now();
  const accepted = await json(await fetch(`${session.apiUrl}/jobs`, { method: 'POST', headers, body }));
  const acceptedMs = Date.now() - t0;
  const origin = new URL(session.apiUrl).origin;
  let job: Record<string, unknown>;
  for (;;) {
    job = await json(await fetch(`${origin}${String(accepted.statusUrl)}`, { headers }));
    if (job.status === 'succeeded' || job.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const importSeconds = (Date.now() - t0) / 1000;
  const importRate = IMPORT_ORDERS / importSeconds;
  say(
    `POST /jobs orders.import ×${IMPORT_ORDERS}          ${importSeconds.toFixed(1)} s   ${importRate.toFixed(0)} orders/s   (202 after ${acceptedMs} ms; ${String(job.status)}: ${JSON.stringify(job.result ?? job.error).slice(0, 80)})`,
  );
  say(`import / baseline = ${(importRate / baselineRate).toFixed(2)}`);

  const worker = workerBundle(out);
  const hello = join(out, 'hello-world.js');
  const source = join(out, 'hello-world-source.ts');
  writeFileSync(source, 'export const handler = async () => ({ statusCode: 200, body: "hello" });\n');
  // The settings of infra/service-function.ts.
  buildSync({
    entryPoints: [source],
    outfile: hello,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    mainFields: ['module', 'main'],
  });
  const workerInit = coldInitMs(worker);
  const helloInit = coldInitMs(hello);
  say(`\nbundle (minified, SDK bundled)   size       cold init (fresh node, median of ${INIT_RUNS})`);
  say(
    `  job-worker                     ${(statSync(worker).size / 1024).toFixed(0).padStart(5)} KB   ${workerInit.toFixed(1)} ms`,
  );
  say(
    `  hello-world                    ${(statSync(hello).size / 1024).toFixed(1).padStart(5)} KB   ${helloInit.toFixed(1)} ms`,
  );
  say(`  worker init − hello init = ${(workerInit - helloInit).toFixed(1)} ms`);
});
