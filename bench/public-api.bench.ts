/**
 * The public HTTP API's scenario of `npm run bench`: warm throughput of `GET /public/{tenantSlug}/catalog`
 * (HTTP API, payload 2.0, no authorizer) in the same run as the REST API's baseline and authorized
 * `GET /orders`, so the ratios compare the two gateways on the same machine at the same moment.
 */
import autocannon from 'autocannon';
import type { DemoSession, SeededTenant } from '../bin/demo-seed';

/** What the REST scenario measured in this run (requests/s). */
export interface RestFigures {
  readonly baseline: number;
  readonly orders: number;
}

/** Runs the public catalog scenario and prints it with its ratios to the REST figures of the same run. */
export async function benchPublicCatalog(
  session: DemoSession,
  seeded: readonly SeededTenant[],
  rest: RestFigures,
): Promise<void> {
  const tenant = seeded.at(-1);
  if (!tenant) throw new Error('no seeded tenant to read a storefront of');
  const url = `${session.publicApiUrl}/public/${tenant.slug}/catalog`;
  // Seeding never called these functions: start their execution environments first, so the run is warm like the REST ones.
  await autocannon({ url, method: 'GET', connections: 10, duration: 3 });
  const result = await autocannon({ url, method: 'GET', connections: 10, duration: 10 });
  const rate = result.requests.average;
  process.stdout.write(
    `${'GET /public/{slug}/catalog (HTTP API)'.padEnd(34)} ${rate.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   non-2xx ${result.non2xx}\n`,
  );
  process.stdout.write(
    `public catalog / baseline = ${(rate / rest.baseline).toFixed(2)}   public catalog / GET /orders = ${(rate / rest.orders).toFixed(2)}\n`,
  );
}
