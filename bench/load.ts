/**
 * One load run of `npm run bench`: autocannon with 10 connections, generating load from a worker thread so the
 * load generator does not share the event loop of the gateway it measures (both live in the bench's process).
 */
import autocannon from 'autocannon';

/** What one run measured. */
export interface Load {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
}

/** Seconds each measured run lasts (`BENCH_SECONDS`, default 10); a 2-second warm-up precedes it. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** Warms the route, measures it, prints one line and returns the figures. */
export async function load(
  title: string,
  url: string,
  options: {
    readonly method?: 'GET' | 'POST' | 'OPTIONS';
    readonly headers?: Record<string, string>;
    readonly body?: string;
  } = {},
): Promise<Load> {
  const common = {
    url,
    connections: 10,
    workers: 1,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
  };
  await autocannon({ ...common, duration: 2 });
  const result = await autocannon({ ...common, duration: SECONDS });
  const figures = {
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
  process.stdout.write(
    `${title.padEnd(40)} ${figures.rate.toFixed(0).padStart(6)} req/s   p50 ${figures.p50} ms   p99 ${figures.p99} ms   non-2xx ${figures.non2xx}\n`,
  );
  return figures;
}
