/**
 * `npm run bench:files`: a bulk import by upload end to end on the local cloud — 100,000 orders as NDJSON, posted
 * with the pre-signed POST the jobs API signs, started by S3's notification on the jobs queue, imported by the
 * bundled worker in follow-up deliveries (each stops before its timeout and continues from the checkpoint) —
 * timed from `POST /jobs` until a poll sees the job finished. Then the worker's peak memory, as the local Lambda
 * runtime's REPORT lines measure it (`Max Memory Used`), against its configured memory.
 */
import { DEMO_TENANTS, demoUsername } from '../bin/demo-seed';
import { runBench } from './bench-cloud';

const ORDERS = Number(process.env.BENCH_FILES_ORDERS ?? 100_000);

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** REPORT lines of the job worker: `Memory Size: 1024 MB	Max Memory Used: 87 MB`. */
const reports: Array<{ durationMs: number; memorySizeMb: number; maxMemoryUsedMb: number }> = [];

runBench(
  'files',
  async ({ session }) => {
    const tenant = DEMO_TENANTS[0];
    if (!tenant) throw new Error('no demo tenant');
    const headers = {
      authorization: `Bearer ${session.idToken(demoUsername(tenant, 'member'))}`,
      'content-type': 'application/json',
    };
    const file = Buffer.from(
      `${Array.from({ length: ORDERS }, (_, i) =>
        JSON.stringify({
          items: [
            { sku: 'WIDGET-1', quantity: (i % 5) + 1 },
            ...(i % 2 === 0 ? [{ sku: 'GADGET-2', quantity: 1 }] : []),
          ],
          note: `bench line ${i + 1}`,
        }),
      ).join('\n')}\n`,
    );
    say(`\nfile: ${ORDERS} lines, ${(file.length / 1e6).toFixed(1)} MB of NDJSON`);

    const t0 = Date.now();
    const accepted = await json(
      await fetch(`${session.apiUrl}/jobs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'orders.import', source: 'upload', format: 'ndjson' }),
      }),
    );
    const upload = accepted.upload as { url: string; fields: Record<string, string> };
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(file)], { type: 'application/x-ndjson' }), 'orders.ndjson');
    const posted = await fetch(upload.url, { method: 'POST', body: form });
    if (posted.status !== 204) throw new Error(`upload refused: ${posted.status} ${await posted.text()}`);
    const uploadedMs = Date.now() - t0;

    let job: Record<string, unknown>;
    let pollFailures = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const response = await fetch(`${session.apiUrl}/jobs/${String(accepted.jobId)}`, { headers });
      // A loaded machine can time a poll out (the API's function has 10 s): the job goes on, so does the poll.
      if (response.status >= 500) {
        pollFailures += 1;
        continue;
      }
      job = await json(response);
      if (job.status === 'succeeded' || job.status === 'failed') break;
    }
    const seconds = (Date.now() - t0) / 1000;
    say(
      `import by upload ×${ORDERS}   ${seconds.toFixed(1)} s   ${(ORDERS / seconds).toFixed(0)} orders/s   (uploaded after ${uploadedMs} ms; ${String(job.status)}: ${JSON.stringify(job.result ?? job.error).slice(0, 120)})`,
    );
    const busy = reports.filter((r) => r.durationMs > 1000);
    const peak = Math.max(0, ...reports.map((r) => r.maxMemoryUsedMb));
    const size = reports[0]?.memorySizeMb ?? Number.NaN;
    if (pollFailures > 0)
      say(`(${pollFailures} status polls answered 5xx on the loaded machine and were repeated)`);
    say(
      `worker: ${reports.length} invocations (${busy.length} over 1 s, the longest ${(Math.max(0, ...reports.map((r) => r.durationMs)) / 1000).toFixed(1)} s)`,
    );
    say(`worker peak memory: ${peak} MB of ${size} MB configured (${((100 * peak) / size).toFixed(0)} %)`);
  },
  {
    log: (text) => {
      // `[<function>] REPORT RequestId: …	Duration: … ms	…	Memory Size: 1024 MB	Max Memory Used: 87 MB`
      for (const match of text.matchAll(
        /^\[([^\]]*)\] REPORT .*?Duration: ([\d.]+) ms.*?Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB/gm,
      )) {
        if (!/worker/i.test(match[1] ?? '')) continue;
        reports.push({
          durationMs: Number(match[2]),
          memorySizeMb: Number(match[3]),
          maxMemoryUsedMb: Number(match[4]),
        });
      }
    },
  },
);
