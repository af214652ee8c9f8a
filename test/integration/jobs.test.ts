import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readJobWorkerConfig } from '../../services/job-worker/config';
import { createFilesStore } from '../../services/job-worker/files-store';
import { createJobWorkerHandler, type JobWorkerHandler } from '../../services/job-worker/handler';
import { createJobRunner } from '../../services/job-worker/job-runner';
import { importOrders } from '../../services/job-worker/orders-import';
import { createReportQueries } from '../../services/job-worker/report-queries';
import { readJobsConfig } from '../../services/jobs/config';
import { createFileLinks } from '../../services/jobs/file-links';
import { createJobsHandler } from '../../services/jobs/handler';
import type { JobView } from '../../services/jobs/job-lifecycle';
import { createJobQueue } from '../../services/jobs/job-queue';
import { MAX_IMPORT_ORDER_DEPTH } from '../../services/jobs/job-schemas';
import { createJobsRepository } from '../../services/jobs/jobs-repository';
import { createJobsService } from '../../services/jobs/jobs-service';
import { createOrdersRepository, type OrdersRepository } from '../../services/orders/orders-repository';
import type { Job } from '../../shared/codecs/job-codec';
import { tenantId } from '../../shared/ids';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { jobKeys } from '../../shared/keys/job-keys';
import { sqsClient } from '../../shared/sqs';
import { readTenantStatus } from '../../shared/tenant-status';
import {
  type LambdaAuthorizerContext,
  lambdaAuthorizerEvent,
  lambdaContext,
  type RestRequest,
} from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { eventually, type JobsQueues, startJobsQueues } from '../support/jobs-fixtures';
import { type CatalogEntry, invoke, member, OrdersTableProbe } from '../support/orders-fixtures';
import { type FilesEngine, startFilesBucket } from '../support/s3-engine';
import { putTenantProfile } from '../support/tenant-profiles';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

// Worker tests wait for the real poller and SQS redelivery; jest's per-project testTimeout is not applied.
jest.setTimeout(60_000);

const CATALOG: CatalogEntry[] = [
  { sku: 'MUG-1', name: 'Mug', price: 1299, currency: 'EUR' },
  { sku: 'TEE.L', name: 'T-shirt L', price: 1999, currency: 'EUR' },
];

let engine: DynamoEngine;
let probe: OrdersTableProbe;
let queues: JobsQueues;
let files: FilesEngine;
let api: ReturnType<typeof createJobsHandler>;
let worker: ReturnType<typeof createJobsHandler>;
/** What the poller invokes; a test may swap in a worker with injected faults. */
let workerHandler: JobWorkerHandler;
let defaultWorker: JobWorkerHandler;
const workerInvocations: SQSEvent[] = [];

const workerConfig = () =>
  readJobWorkerConfig({
    TABLE_NAME: TEST_ENV.TABLE_NAME,
    TENANT_DATA_ROLE_ARN: TEST_ENV.TENANT_DATA_ROLE_ARN,
    IDEMPOTENCY_TABLE_NAME: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
    FILES_BUCKET_NAME: TEST_ENV.FILES_BUCKET_NAME,
    JOBS_QUEUE_URL: queues.workUrl,
    MAX_RECEIVE_COUNT: '5',
    // As the tests' stack configures it: a poison job's four retries wait 1 s each, not 1 + 2 + 4 + 8.
    RETRY_MAX_DELAY_SECONDS: '1',
  });

beforeAll(async () => {
  engine = await startDynamo();
  probe = new OrdersTableProbe(engine.client);
  queues = await startJobsQueues(async (event) => {
    workerInvocations.push(event);
    return workerHandler(event, lambdaContext({ functionName: 'job-worker', timeoutMs: 60_000 }));
  });
  // Reports are written to the files bucket.
  files = await startFilesBucket();
  const jobsConfig = (url: string) => readJobsConfig({ ...TEST_ENV, JOBS_QUEUE_URL: url });
  api = createJobsHandler(jobsConfig(queues.inboxUrl), UNSCOPED_TENANT_DATA);
  worker = createJobsHandler(jobsConfig(queues.workUrl), UNSCOPED_TENANT_DATA);
  defaultWorker = createJobWorkerHandler(workerConfig(), { tenantData: UNSCOPED_TENANT_DATA });
  workerHandler = defaultWorker;
}, 60_000);
afterEach(() => {
  workerHandler = defaultWorker;
});
afterAll(async () => {
  await files?.stop();
  await queues?.stop();
  await engine?.stop();
});

async function tenantWithCatalog(): Promise<LambdaAuthorizerContext> {
  const id = tenantId();
  await putTenantProfile(id, 'ACTIVE');
  await probe.seedCatalog(id, CATALOG);
  return member(id);
}

function call<T = Record<string, unknown>>(
  handler: ReturnType<typeof createJobsHandler>,
  principal: LambdaAuthorizerContext,
  request: RestRequest,
) {
  return invoke<T>(handler, lambdaAuthorizerEvent(request, principal));
}

const postJob = (principal: LambdaAuthorizerContext, body: unknown, headers?: Record<string, string>) =>
  call(api, principal, { method: 'POST', resource: '/jobs', body, ...(headers ? { headers } : {}) });
const getJob = (principal: LambdaAuthorizerContext, jobId: string, via = api) =>
  call<JobView>(via, principal, { method: 'GET', resource: '/jobs/{jobId}', pathParameters: { jobId } });
const listJobs = (principal: LambdaAuthorizerContext, query?: Record<string, string>) =>
  call<{ items: JobView[]; nextToken?: string }>(api, principal, {
    method: 'GET',
    resource: '/jobs',
    ...(query ? { query } : {}),
  });

/** Everything stored under the tenant's job partitions (jobs and import input). */
async function storedJobItems(tenant: string): Promise<number> {
  const jobs = await createJobsRepository(TEST_ENV.TABLE_NAME).listJobs(tenant, { limit: 100 });
  return jobs.items.length;
}

const importOf = (n: number, sku = 'MUG-1') => ({
  type: 'orders.import',
  orders: Array.from({ length: n }, (_, i) => ({ items: [{ sku, quantity: (i % 3) + 1 }] })),
});

/** Submits through the worker's queue and waits until the job is finished. */
async function runJob(principal: LambdaAuthorizerContext, body: unknown): Promise<JobView> {
  const accepted = await call(worker, principal, { method: 'POST', resource: '/jobs', body });
  expect(accepted.statusCode).toBe(202);
  const jobId = String(accepted.body.jobId);
  return eventually(async () => {
    const { body: job } = await getJob(principal, jobId, worker);
    return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
  }, `job ${jobId} to finish`);
}

describe('POST /jobs', () => {
  it('accepts an import with 202, a Location to poll, the job stored queued and one message carrying its address', async () => {
    const alice = await tenantWithCatalog();
    const before = await queues.depth(queues.inboxUrl);
    const res = await postJob(alice, importOf(3));

    expect(res.statusCode).toBe(202);
    const jobId = String(res.body.jobId);
    expect(res.body).toEqual({
      jobId,
      type: 'orders.import',
      status: 'queued',
      statusUrl: `/prod/jobs/${jobId}`,
    });
    expect(res.headers.Location).toBe(`/prod/jobs/${jobId}`);
    const stored = await getJob(alice, jobId);
    expect(stored.body).toMatchObject({ status: 'queued', progress: { done: 0, total: 3 } });
    expect(await queues.depth(queues.inboxUrl)).toBe(before + 1);
    const bodies = await queues.drain(queues.inboxUrl);
    expect(bodies.map((b) => JSON.parse(b))).toContainEqual({ tenantId: alice.tenantId, jobId });
  });

  it('answers 413 for 1,001 import orders, and writes and sends nothing', async () => {
    const alice = await tenantWithCatalog();
    const before = await queues.depth(queues.inboxUrl);
    const res = await postJob(alice, importOf(1001));

    expect(res.statusCode).toBe(413);
    expect(res.body).toMatchObject({ code: 'PayloadTooLarge', maxOrders: 1000 });
    expect(String(res.body.message)).toContain('at most 1000 orders; this one has 1001');
    expect(await storedJobItems(alice.tenantId)).toBe(0);
    expect(await queues.depth(queues.inboxUrl)).toBe(before);
  });

  it.each([
    ['an unknown job type', { type: 'orders.delete' }, 'type'],
    ['a report without its range', { type: 'orders.report', from: '2026-01-01' }, 'to'],
    ['an import without orders', { type: 'orders.import', orders: [] }, 'orders'],
    [
      'an unknown field',
      { type: 'orders.report', from: '2026-01-01', to: '2026-01-02', tenantId: 'x' },
      'tenantId',
    ],
    ['a backwards range', { type: 'orders.report', from: '2026-02-01', to: '2026-01-01' }, 'before from'],
    [
      'a range over 366 days',
      { type: 'orders.report', from: '2025-01-01', to: '2026-01-02' },
      'at most 366 days',
    ],
  ])('refuses %s with 400 naming it, and writes and sends nothing', async (_what, body, named) => {
    const alice = await tenantWithCatalog();
    const before = await queues.depth(queues.inboxUrl);
    const res = await postJob(alice, body);

    expect(res.statusCode).toBe(400);
    expect(res.body.code).toBe('ValidationError');
    expect(String(res.body.message)).toContain(named);
    expect(await storedJobItems(alice.tenantId)).toBe(0);
    expect(await queues.depth(queues.inboxUrl)).toBe(before);
  });

  /** An import whose second order is `order` as raw JSON text, so numbers reach JSON.parse exactly as sent. */
  const importWithRawOrder = (order: string) =>
    `{"type":"orders.import","orders":[{"items":[{"sku":"MUG-1","quantity":1}]},${order}]}`;
  const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"x":1}${'}'.repeat(levels - 1)}`;

  it.each([
    [
      'an unsafe integer',
      '{"items":[{"sku":"MUG-1","quantity":9007199254740993}]}',
      'orders.1.items.0.quantity',
    ],
    ['1e308', '{"items":[{"sku":"MUG-1","quantity":1e308}]}', 'orders.1.items.0.quantity'],
    [
      '1e400 in an extra field (Infinity)',
      '{"items":[{"sku":"MUG-1","quantity":1}],"x":1e400}',
      'orders.1.x',
    ],
    [
      'a 50-digit integer',
      `{"items":[{"sku":"MUG-1","quantity":${'9'.repeat(50)}}]}`,
      'orders.1.items.0.quantity',
    ],
    ['a number below 1e-130', '{"items":[{"sku":"MUG-1","quantity":1e-200}]}', 'orders.1.items.0.quantity'],
    ['an order nested 40 levels', nested(40), 'nested too deeply'],
  ])(
    'refuses an import order with %s with 400 naming the order and field, and stores nothing',
    async (_what, order, named) => {
      const alice = await tenantWithCatalog();
      const before = await queues.depth(queues.inboxUrl);
      const res = await postJob(alice, importWithRawOrder(order));

      expect(res.statusCode).toBe(400);
      expect(res.body.code).toBe('ValidationError');
      expect(String(res.body.message)).toContain(named);
      expect(String(res.body.message)).toContain('orders.1');
      expect(await storedJobItems(alice.tenantId)).toBe(0);
      expect(await queues.depth(queues.inboxUrl)).toBe(before);
    },
  );

  it('stores an import order nested as deep as the API allows', async () => {
    const alice = await tenantWithCatalog();
    const res = await postJob(alice, importWithRawOrder(nested(MAX_IMPORT_ORDER_DEPTH)));

    expect(res.statusCode).toBe(202);
    await queues.drain(queues.inboxUrl);
  });

  it('replays the first job for the same Idempotency-Key and body, and refuses the key with another body', async () => {
    const alice = await tenantWithCatalog();
    const before = await queues.depth(queues.inboxUrl);
    const headers = { 'Idempotency-Key': 'import-2026-01' };
    const first = await postJob(alice, importOf(2), headers);
    const again = await postJob(alice, importOf(2), headers);
    const other = await postJob(alice, importOf(3), headers);

    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.body.jobId).toBe(first.body.jobId);
    expect(other.statusCode).toBe(422);
    expect(await storedJobItems(alice.tenantId)).toBe(1);
    expect(await queues.depth(queues.inboxUrl)).toBe(before + 1);
  });

  it('marks the job failed with the reason and answers 503 when SendMessage is throttled', async () => {
    const alice = await tenantWithCatalog();
    const sqsMock = mockClient(sqsClient);
    sqsMock.rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    try {
      const res = await postJob(alice, { type: 'orders.report', from: '2026-01-01', to: '2026-01-31' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toMatchObject({ code: 'ServiceUnavailable' });
      const job = await getJob(alice, String(res.body.jobId));
      expect(job.body).toMatchObject({
        status: 'failed',
        error: { code: 'NotQueued', message: expect.stringContaining('ThrottlingException') },
      });
    } finally {
      sqsMock.restore();
    }
  });
});

describe('GET /jobs and /jobs/{jobId}', () => {
  it("answers 404 for another tenant's job and for an id that cannot exist", async () => {
    const alice = await tenantWithCatalog();
    const bob = await tenantWithCatalog();
    const { body } = await postJob(alice, importOf(1));

    expect((await getJob(bob, String(body.jobId))).statusCode).toBe(404);
    expect((await getJob(alice, 'not-a-job')).statusCode).toBe(404);
    expect((await getJob(alice, String(body.jobId))).statusCode).toBe(200);
  });

  it('lists the tenant’s jobs newest first, by status, a page at a time', async () => {
    const alice = await tenantWithCatalog();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(String((await postJob(alice, importOf(1))).body.jobId));

    const page = await listJobs(alice, { limit: '2' });
    expect(page.body.items.map((j) => j.jobId)).toEqual([ids[2], ids[1]]);
    const rest = await listJobs(alice, { limit: '2', nextToken: String(page.body.nextToken) });
    expect(rest.body.items.map((j) => j.jobId)).toEqual([ids[0]]);
    expect((await listJobs(alice, { status: 'queued' })).body.items).toHaveLength(3);
    expect((await listJobs(alice, { status: 'succeeded' })).body.items).toHaveLength(0);
  });

  it("refuses a cursor forged to point into another tenant's jobs with 400", async () => {
    const alice = await tenantWithCatalog();
    const bob = await tenantWithCatalog();
    const forged = Buffer.from(
      JSON.stringify({ ...jobKeys.job(bob.tenantId, '01HZZZZZZZZZZZZZZZZZZZZZZZ') }),
    ).toString('base64url');
    const res = await listJobs(alice, { nextToken: forged });
    expect(res.statusCode).toBe(400);
    expect(res.body.items).toBeUndefined();
  });

  it('reports an unfinished job past its deadline as failed: timed out', async () => {
    const alice = await tenantWithCatalog();
    const twoHoursAgo = Date.now() - 2 * 60 * 60 * 1000;
    const service = createJobsService({
      repository: createJobsRepository(TEST_ENV.TABLE_NAME),
      queue: createJobQueue(queues.inboxUrl),
      idempotencyTableName: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
      files: createFileLinks(TEST_ENV.FILES_BUCKET_NAME),
      clock: () => twoHoursAgo,
    });
    const job = await service.createJob(
      { ...alice, role: 'member', groups: ['member'] },
      importOf(1) as never,
      {
        lambdaContext: lambdaContext(),
      },
    );
    const res = await getJob(alice, job.jobId);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'TimedOut', message: 'timed out' } });
  });
});

describe('the job worker, polled from SQS', () => {
  it('does not run a queued job of a suspended tenant: it is failed with the reason and creates nothing', async () => {
    const alice = await tenantWithCatalog();
    await putTenantProfile(alice.tenantId, 'SUSPENDED');
    const job = await runJob(alice, importOf(3));
    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code: 'TenantNotActive', message: 'the tenant is not active' });
    expect(await probe.storedOrders(alice.tenantId)).toEqual([]);
  });

  it('imports the valid orders priced from the catalog and reports the invalid ones by index', async () => {
    const alice = await tenantWithCatalog();
    const job = await runJob(alice, {
      type: 'orders.import',
      orders: [
        { items: [{ sku: 'MUG-1', quantity: 2 }], note: 'first' },
        { items: [{ sku: 'NOPE', quantity: 1 }] },
        { items: [] },
        { items: [{ sku: 'TEE.L', quantity: 1 }] },
        'not an order',
      ],
    });

    expect(job.status).toBe('succeeded');
    expect(job.progress).toEqual({ done: 5, total: 5 });
    expect(job.result).toEqual({
      created: 2,
      alreadyImported: 0,
      invalid: [
        { index: 1, reason: 'unknown sku: NOPE' },
        { index: 2, reason: expect.stringContaining('items') },
        { index: 4, reason: expect.any(String) },
      ],
    });
    const orders = await probe.storedOrders(alice.tenantId);
    expect(orders.map((o) => o.total).sort()).toEqual([1999, 2598]);
    expect(orders.find((o) => o.total === 2598)).toMatchObject({
      note: 'first',
      status: 'pending',
      currency: 'EUR',
    });
  });

  it('reports order counts and totals per status and per day of the range', async () => {
    const alice = await tenantWithCatalog();
    await runJob(alice, importOf(3));
    const today = new Date().toISOString().slice(0, 10);
    const job = await runJob(alice, { type: 'orders.report', from: '2026-01-01', to: today });

    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({
      from: '2026-01-01',
      to: today,
      orderCount: 3,
      totals: { EUR: 1299 * 6 },
      byStatus: { pending: { count: 3, totals: { EUR: 1299 * 6 } } },
      byDay: [{ date: today, count: 3, totals: { EUR: 1299 * 6 } }],
    });
  });

  it('retries only the failing record of a batch of ten, and dead-letters it after 5 deliveries with its job failed', async () => {
    const tenants = await Promise.all(Array.from({ length: 10 }, () => tenantWithCatalog()));
    const poisoned = tenants[3] as LambdaAuthorizerContext;
    // A corrupt catalog item is the system's fault, not the caller's: the import fails, every time.
    await probe.client.send(
      new PutCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Item: { ...catalogKeys.item(poisoned.tenantId, 'MUG-1'), sku: 'MUG-1', price: 'free' },
      }),
    );
    const deadBefore = await queues.depth(queues.deadLetterUrl);
    const jobs = await Promise.all(tenants.map((t) => runJob(t, importOf(2))));

    const poisonJob = jobs[3] as JobView;
    expect(poisonJob).toMatchObject({
      status: 'failed',
      error: {
        code: 'JobFailed',
        message: expect.stringContaining('gave up after 5 attempts: CorruptItemError'),
      },
    });
    expect(jobs.filter((j) => j.status === 'succeeded')).toHaveLength(9);
    const deliveries = (jobId: string) =>
      workerInvocations.flatMap((e) => e.Records).filter((r) => JSON.parse(r.body).jobId === jobId).length;
    for (const job of jobs) expect(deliveries(job.jobId)).toBe(job === poisonJob ? 5 : 1);
    await eventually(
      async () => ((await queues.depth(queues.deadLetterUrl)) === deadBefore + 1 ? true : undefined),
      'the poison message in the dead-letter queue',
    );
    const dead = await queues.drain(queues.deadLetterUrl);
    expect(dead.map((b) => JSON.parse(b))).toContainEqual({
      tenantId: poisoned.tenantId,
      jobId: poisonJob.jobId,
    });
  });

  it('changes nothing twice when the same message is delivered twice', async () => {
    const alice = await tenantWithCatalog();
    const job = await runJob(alice, importOf(4));
    await queues.client.send(
      new SendMessageCommand({
        QueueUrl: queues.workUrl,
        MessageBody: JSON.stringify({ tenantId: alice.tenantId, jobId: job.jobId }),
      }),
    );
    await eventually(
      async () => ((await queues.depth(queues.workUrl)) === 0 ? true : undefined),
      'the duplicate',
    );

    const after = await getJob(alice, job.jobId);
    expect(after.body).toEqual(job);
    expect(await probe.storedOrders(alice.tenantId)).toHaveLength(4);
  });

  it('restarts a job whose worker died mid-import and creates each order exactly once', async () => {
    const alice = await tenantWithCatalog();
    const real = createOrdersRepository(TEST_ENV.TABLE_NAME);
    let writes = 0;
    let died = false;
    const dying: OrdersRepository = {
      ...real,
      async putNewOrder(tenant, order) {
        writes += 1;
        if (!died && writes > 30) {
          died = true;
          throw Object.assign(new Error('worker killed'), { name: 'Killed' });
        }
        return real.putNewOrder(tenant, order);
      },
    };
    workerHandler = createJobWorkerHandler(workerConfig(), {
      runner: createJobRunner({
        jobs: createJobsRepository(TEST_ENV.TABLE_NAME),
        orders: dying,
        reports: createReportQueries(TEST_ENV.TABLE_NAME),
        files: createFilesStore(TEST_ENV.FILES_BUCKET_NAME),
        queue: createJobQueue(queues.workUrl),
        idempotencyTableName: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
        tenantStatus: (tenant) => readTenantStatus(TEST_ENV.TABLE_NAME, tenant),
      }),
    });
    const job = await runJob(alice, importOf(60));

    expect(died).toBe(true);
    expect(job.status).toBe('succeeded');
    const result = job.result as { created: number; alreadyImported: number };
    expect(result.created + result.alreadyImported).toBe(60);
    expect(result.alreadyImported).toBeGreaterThan(0);
    expect(await probe.storedOrders(alice.tenantId)).toHaveLength(60);
  });

  it('creates each order once when two workers race on the same import (conditional writes)', async () => {
    const alice = await tenantWithCatalog();
    const jobsRepo = createJobsRepository(TEST_ENV.TABLE_NAME);
    const { body } = await postJob(alice, importOf(40));
    const job = (await jobsRepo.getJob(alice.tenantId, String(body.jobId))) as Job;
    const chunks = await jobsRepo.readInputChunks(alice.tenantId, job.jobId);
    const orders = createOrdersRepository(TEST_ENV.TABLE_NAME);
    const run = () =>
      importOrders({ tenantId: alice.tenantId, job, chunks, orders, onProgress: async () => undefined });

    const [a, b] = await Promise.all([run(), run()]);
    expect(a.created + b.created).toBe(40);
    expect(a.alreadyImported + b.alreadyImported).toBe(40);
    expect(await probe.storedOrders(alice.tenantId)).toHaveLength(40);
  });
});
