/**
 * End to end: the async job flow on the local cloud — POST /jobs through the REST API and its Lambda authorizer,
 * the job queue (fauxqs) and its event-source mapping into the bundled worker, polled over HTTP until it is done.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { ACME, type ApiReply, callApi, type E2eCloud, GLOBEX, startE2eCloud } from '../support/e2e-cloud';

// A poison job takes its five deliveries (4 s of backoff in the tests' stack, whose retries wait at most 1 s:
// test/support/product-assembly.ts); jest's per-project testTimeout is not applied.
jest.setTimeout(60_000);

let e2e: E2eCloud;

beforeAll(async () => {
  e2e = await startE2eCloud();
}, 120_000);

afterAll(async () => {
  await e2e?.close();
});

type Reply = ApiReply;

function api(method: string, path: string, token: string, body?: unknown): Promise<Reply> {
  return callApi(`${e2e.apiUrl}${path}`, method, { authorization: `Bearer ${token}`, body });
}

/** Polls the job's statusUrl (as a client would: it is the path under the API's host) until it is finished. */
async function pollUntilFinished(
  statusUrl: string,
  token: string,
  ms = 50_000,
): Promise<Record<string, unknown>> {
  const origin = new URL(e2e.apiUrl).origin;
  const deadline = Date.now() + ms;
  for (;;) {
    const response = await fetch(`${origin}${statusUrl}`, { headers: { authorization: `Bearer ${token}` } });
    const job = (await response.json()) as Record<string, unknown>;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job still ${String(job.status)} at ${statusUrl}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function resource(
  type: string,
  logicalIdPrefix: string,
  where: (p: Record<string, unknown>) => boolean = () => true,
) {
  const found = e2e.cloud.model.resources.find(
    (r) => r.type === type && r.logicalId.startsWith(logicalIdPrefix) && where(r.properties),
  );
  if (!found) throw new Error(`no ${type} ${logicalIdPrefix}* in the template`);
  return found;
}

function endpoint(kind: string): string {
  const found = e2e.cloud.endpoints.find((e) => e.kind === kind);
  if (!found) throw new Error(`no ${kind} endpoint`);
  return found.url;
}

const tenantOf = (token: string): string =>
  String(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())['custom:tenantId']);

describe('async jobs on the local cloud', () => {
  it('imports orders: 202 with a Location, then polled to succeeded, and the orders are listed', async () => {
    const token = e2e.idToken(ACME, 'member');
    const orders = Array.from({ length: 20 }, (_, i) => ({ items: [{ sku: 'WIDGET-1', quantity: i + 1 }] }));
    const accepted = await api('POST', '/jobs', token, {
      type: 'orders.import',
      orders: [...orders, { items: [] }],
    });

    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ type: 'orders.import', status: 'queued' });
    expect(accepted.headers.get('location')).toBe(accepted.body.statusUrl);
    const job = await pollUntilFinished(String(accepted.body.statusUrl), token);
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { done: 21, total: 21 },
      result: { created: 20, alreadyImported: 0, invalid: [{ index: 20 }] },
    });
    const listed = await api('GET', '/orders?limit=100', token);
    const totals = (listed.body.items as Array<{ total: number }>).map((o) => o.total);
    expect(totals).toEqual(expect.arrayContaining([1250, 1250 * 20]));
  });

  it('reports the tenant’s orders: 202, then polled to succeeded with counts per status and day', async () => {
    const token = e2e.idToken(GLOBEX, 'member');
    const today = new Date().toISOString().slice(0, 10);
    const accepted = await api('POST', '/jobs', token, {
      type: 'orders.report',
      from: '2026-01-01',
      to: today,
    });

    expect(accepted.status).toBe(202);
    const job = await pollUntilFinished(String(accepted.body.statusUrl), token);
    expect(job.status).toBe('succeeded');
    const result = job.result as { orderCount: number; byDay: Array<{ date: string; count: number }> };
    // The seed placed three orders for each tenant, on the days they were created (a run may cross midnight UTC).
    expect(result.orderCount).toBe(3);
    const listed = await api('GET', '/orders?limit=100', token);
    const perDay = new Map<string, number>();
    for (const { createdAt } of listed.body.items as Array<{ createdAt: string }>)
      perDay.set(createdAt.slice(0, 10), (perDay.get(createdAt.slice(0, 10)) ?? 0) + 1);
    expect(result.byDay.map(({ date, count }) => [date, count])).toEqual([...perDay.entries()].sort());
  });

  it('refuses 1,001 import orders with 413 and another tenant’s job with 404', async () => {
    const acme = e2e.idToken(ACME, 'member');
    const tooMany = Array.from({ length: 1001 }, () => ({ items: [{ sku: 'WIDGET-1', quantity: 1 }] }));
    const refused = await api('POST', '/jobs', acme, { type: 'orders.import', orders: tooMany });
    expect(refused.status).toBe(413);
    expect(String(refused.body.message)).toContain('at most 1000 orders');

    const accepted = await api('POST', '/jobs', acme, {
      type: 'orders.report',
      from: '2026-01-01',
      to: '2026-01-02',
    });
    const globex = e2e.idToken(GLOBEX, 'member');
    expect((await api('GET', `/jobs/${String(accepted.body.jobId)}`, globex)).status).toBe(404);
  });

  it('ends a poison job failed with the reason, and its message in the dead-letter queue', async () => {
    const token = e2e.idToken(GLOBEX, 'admin');
    const table = resource('AWS::DynamoDB::GlobalTable', 'Table');
    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: endpoint('DynamoDB'),
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    // A corrupt catalog item is a fault of the system: every delivery of the import fails on it.
    await dynamo.send(
      new PutCommand({
        TableName: table.physicalId,
        Item: { ...catalogKeys.item(tenantOf(token), 'GIZMO-3'), sku: 'GIZMO-3', price: 'free' },
      }),
    );
    const accepted = await api('POST', '/jobs', token, {
      type: 'orders.import',
      orders: [{ items: [{ sku: 'GIZMO-3', quantity: 1 }] }],
    });
    expect(accepted.status).toBe(202);

    const job = await pollUntilFinished(String(accepted.body.statusUrl), token);
    expect(job).toMatchObject({
      status: 'failed',
      error: {
        code: 'JobFailed',
        message: expect.stringContaining('gave up after 5 attempts: CorruptItemError'),
      },
    });
    const dlq = resource('AWS::SQS::Queue', 'JobsDeadLetters');
    const sqs = new SQSClient({
      endpoint: endpoint('SQS'),
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const bodies: string[] = [];
    const deadline = Date.now() + 10_000;
    while (!bodies.some((b) => b.includes(String(accepted.body.jobId))) && Date.now() < deadline) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq.physicalId, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      bodies.push(...(Messages ?? []).map((m) => m.Body ?? ''));
    }
    expect(bodies.map((b) => JSON.parse(b))).toContainEqual({
      tenantId: tenantOf(token),
      jobId: accepted.body.jobId,
    });
    sqs.destroy();
  });
});
