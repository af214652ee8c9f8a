/**
 * The `POST /events` scenario of `npm run bench`: the REST API's AWS integration (authorizer, model validation,
 * VTL request template, DynamoDB PutItem through the stream capture, integration response), with the projector
 * running on the stream as it would. Printed as a ratio to the run's MOCK baseline.
 */
import autocannon from 'autocannon';

export interface IngestEventsBench {
  readonly apiUrl: string;
  /** An ID token of a seeded member. */
  readonly token: string;
  /** Requests per second of the MOCK baseline, measured in the same run. */
  readonly baseline: number;
}

/** Measures `POST /events` like the other scenarios (10 connections, 10 s, warm) and prints it with its ratio. */
export async function benchIngestEvents({ apiUrl, token, baseline }: IngestEventsBench): Promise<void> {
  const body = JSON.stringify({
    // A well-formed id no order has: each event is stored, then rejected by the projector as an unknown order.
    orderId: '01JBENCHBENCHBENCHBENCHBEN',
    type: 'shipped',
    occurredAt: '2026-01-02T10:00:00Z',
    note: 'bench: O\'Hare "quoted" — ünïcode',
  });
  const result = await autocannon({
    url: `${apiUrl}/events`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
    connections: 10,
    duration: 10,
  });
  process.stdout.write(
    `${'POST /events (AWS → DynamoDB)'.padEnd(34)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   non-2xx ${result.non2xx}\n`,
  );
  process.stdout.write(`POST /events / baseline = ${(result.requests.average / baseline).toFixed(2)}\n`);
}
