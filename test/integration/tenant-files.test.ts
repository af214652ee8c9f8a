import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { PDFDocument } from '@pdfme/pdf-lib';
import { readJobWorkerConfig } from '../../services/job-worker/config';
import { createFilesStore } from '../../services/job-worker/files-store';
import { createJobWorkerHandler, type JobWorkerHandler } from '../../services/job-worker/handler';
import { createJobRunner } from '../../services/job-worker/job-runner';
import { createReportQueries } from '../../services/job-worker/report-queries';
import { MAX_KEPT_LINE_ERRORS, UPLOAD_BATCH_LINES } from '../../services/job-worker/upload-import';
import { readJobsConfig } from '../../services/jobs/config';
import { createJobsHandler } from '../../services/jobs/handler';
import type { JobView } from '../../services/jobs/job-lifecycle';
import { createJobQueue } from '../../services/jobs/job-queue';
import { createJobsRepository } from '../../services/jobs/jobs-repository';
import { readOrdersConfig } from '../../services/orders/config';
import { createOrdersHandler } from '../../services/orders/handler';
import { createOrdersRepository } from '../../services/orders/orders-repository';
import { tenantId } from '../../shared/ids';
import { TENANT_FILES } from '../../shared/tenant-files';
import { readTenantStatus } from '../../shared/tenant-status';
import { type LambdaAuthorizerContext, lambdaAuthorizerEvent, lambdaContext } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { eventually, type JobsQueues, startJobsQueues } from '../support/jobs-fixtures';
import { type CatalogEntry, invoke, member, OrdersTableProbe } from '../support/orders-fixtures';
import { type FilesEngine, postForm, postOversizeForm, startFilesBucket } from '../support/s3-engine';
import { putTenantProfile } from '../support/tenant-profiles';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

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
let orders: ReturnType<typeof createOrdersHandler>;
let workerHandler: JobWorkerHandler;
let defaultWorker: JobWorkerHandler;

const workerConfig = () =>
  readJobWorkerConfig({
    TABLE_NAME: TEST_ENV.TABLE_NAME,
    TENANT_DATA_ROLE_ARN: TEST_ENV.TENANT_DATA_ROLE_ARN,
    IDEMPOTENCY_TABLE_NAME: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
    FILES_BUCKET_NAME: TEST_ENV.FILES_BUCKET_NAME,
    JOBS_QUEUE_URL: queues.workUrl,
    MAX_RECEIVE_COUNT: '5',
    RETRY_MAX_DELAY_SECONDS: '1',
  });

beforeAll(async () => {
  engine = await startDynamo();
  probe = new OrdersTableProbe(engine.client);
  queues = await startJobsQueues((event) =>
    workerHandler(event, lambdaContext({ functionName: 'job-worker', timeoutMs: 60_000 })),
  );
  files = await startFilesBucket({ client: queues.client, queueUrl: queues.workUrl });
  api = createJobsHandler(
    readJobsConfig({ ...TEST_ENV, JOBS_QUEUE_URL: queues.workUrl }),
    UNSCOPED_TENANT_DATA,
  );
  orders = createOrdersHandler(readOrdersConfig({ ...TEST_ENV }), UNSCOPED_TENANT_DATA);
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

interface Accepted {
  jobId: string;
  upload: {
    method: string;
    url: string;
    fields: Record<string, string>;
    maxBytes: number;
    expiresAt: string;
  };
}

const postJob = (principal: LambdaAuthorizerContext, body: unknown) =>
  invoke<Accepted & Record<string, unknown>>(
    api,
    lambdaAuthorizerEvent({ method: 'POST', resource: '/jobs', body }, principal),
  );
const getJob = (principal: LambdaAuthorizerContext, jobId: string) =>
  invoke<JobView>(
    api,
    lambdaAuthorizerEvent({ method: 'GET', resource: '/jobs/{jobId}', pathParameters: { jobId } }, principal),
  );
const getResult = (principal: LambdaAuthorizerContext, jobId: string) =>
  invoke(
    api,
    lambdaAuthorizerEvent(
      { method: 'GET', resource: '/jobs/{jobId}/result', pathParameters: { jobId } },
      principal,
    ),
  );

async function finished(principal: LambdaAuthorizerContext, jobId: string): Promise<JobView> {
  return eventually(async () => {
    const { body: job } = await getJob(principal, jobId);
    return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
  }, `job ${jobId} to finish`);
}

/** Accepts an upload import, posts `file` with its form, and waits for the job to finish. */
async function importFile(
  principal: LambdaAuthorizerContext,
  format: 'ndjson' | 'csv',
  file: string | Buffer,
): Promise<JobView> {
  const accepted = await postJob(principal, { type: 'orders.import', source: 'upload', format });
  expect(accepted.statusCode).toBe(202);
  const posted = await postForm(accepted.body.upload, file);
  expect(posted.status).toBe(204);
  return finished(principal, accepted.body.jobId);
}

const ndjson = (
  count: number,
  line: (i: number) => unknown = (i) => ({ items: [{ sku: 'MUG-1', quantity: (i % 3) + 1 }] }),
) => `${Array.from({ length: count }, (_, i) => JSON.stringify(line(i))).join('\n')}\n`;

interface UploadResult {
  created: number;
  alreadyImported: number;
  invalidCount: number;
  invalid: Array<{ line: number; reason: string }>;
  lines: number;
}

describe('POST /jobs with source upload', () => {
  it('answers 202 with a pre-signed POST for exactly the job key, its content type, 100 MB and 10 minutes', async () => {
    const alice = await tenantWithCatalog();
    const res = await postJob(alice, { type: 'orders.import', source: 'upload', format: 'ndjson' });

    expect(res.statusCode).toBe(202);
    expect(res.body.status).toBe('queued');
    const { upload, jobId } = res.body;
    expect(upload.method).toBe('POST');
    expect(upload.fields.key).toBe(`tenants/${alice.tenantId}/uploads/${jobId}.ndjson`);
    expect(upload.fields['Content-Type']).toBe('application/x-ndjson');
    expect(upload.maxBytes).toBe(100_000_000);
    const policy = JSON.parse(Buffer.from(String(upload.fields.Policy), 'base64').toString()) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 100_000_000],
        ['eq', '$Content-Type', 'application/x-ndjson'],
        { key: upload.fields.key },
      ]),
    );
    const lifetime = Date.parse(policy.expiration) - Date.now();
    expect(lifetime).toBeGreaterThan(9 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(10 * 60_000);
  });

  it('refuses a format that is neither ndjson nor csv, and inline orders with an upload, with 400', async () => {
    const alice = await tenantWithCatalog();
    const xml = await postJob(alice, { type: 'orders.import', source: 'upload', format: 'xml' });
    expect(xml.statusCode).toBe(400);
    expect(String(xml.body.message)).toContain('format');
    const both = await postJob(alice, {
      type: 'orders.import',
      source: 'upload',
      format: 'csv',
      orders: [{}],
    });
    expect(both.statusCode).toBe(400);
    expect(String(both.body.message)).toContain('orders');
  });

  it('lets S3 refuse a form used for another key (another tenant prefix), another content type or a larger file', async () => {
    const alice = await tenantWithCatalog();
    const bob = await tenantWithCatalog();
    const { body } = await postJob(alice, { type: 'orders.import', source: 'upload', format: 'ndjson' });
    const otherKey = {
      ...body.upload,
      fields: { ...body.upload.fields, key: `tenants/${bob.tenantId}/uploads/${body.jobId}.ndjson` },
    };
    const toBob = await postForm(otherKey, ndjson(1));
    expect(toBob.status).toBe(403);
    expect(toBob.body).toContain('<Code>AccessDenied</Code>');
    const html = await postForm(
      { ...body.upload, fields: { ...body.upload.fields, 'Content-Type': 'text/html' } },
      '<script>alert(1)</script>',
    );
    expect(html.status).toBe(403);
    expect(await postOversizeForm(body.upload, Buffer.alloc(100_000_001, 0x20))).toBe('refused');
    const stored = await new S3Client({ endpoint: files.endpoint, forcePathStyle: true })
      .send(new GetObjectCommand({ Bucket: TEST_ENV.FILES_BUCKET_NAME, Key: otherKey.fields.key ?? '' }))
      .catch((error: Error) => error.name);
    expect(stored).toBe('NoSuchKey');
  });
});

describe('importing an upload', () => {
  it('imports every line of an NDJSON file once the upload arrives, with progress in bytes', async () => {
    const alice = await tenantWithCatalog();
    const file = ndjson(450);
    const job = await importFile(alice, 'ndjson', file);

    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({
      created: 450,
      alreadyImported: 0,
      invalidCount: 0,
      invalid: [],
      lines: 450,
    });
    expect(job.progress).toEqual({ done: Buffer.byteLength(file), total: Buffer.byteLength(file) });
    expect(await probe.storedOrders(alice.tenantId)).toHaveLength(450);
  });

  it('imports a CSV (items as SKU:QUANTITY;…) with quoted notes', async () => {
    const alice = await tenantWithCatalog();
    const csv = 'items,note\nMUG-1:2;TEE.L:1,"gift, wrapped"\r\nMUG-1:1,\n';
    const job = await importFile(alice, 'csv', csv);

    expect(job.result).toMatchObject({ created: 2, invalidCount: 0 });
    const stored = await probe.storedOrders(alice.tenantId);
    expect(stored.map((o) => o.note).sort()).toEqual(['gift, wrapped', undefined]);
    expect(stored.map((o) => o.total).sort()).toEqual([1299, 2 * 1299 + 1999]);
  });

  it('reports bad lines by number and reason: another tenant, injection strings, bad JSON, a bad date, unknown SKUs', async () => {
    const alice = await tenantWithCatalog();
    const bob = await tenantWithCatalog();
    const lines = [
      JSON.stringify({ items: [{ sku: 'MUG-1', quantity: 1 }] }),
      JSON.stringify({ tenantId: bob.tenantId, items: [{ sku: 'MUG-1', quantity: 1 }] }),
      JSON.stringify({ items: [{ sku: "MUG-1' OR '1'='1", quantity: 1 }] }),
      '{"items": [',
      JSON.stringify({ items: [{ sku: 'MUG-1', quantity: 1 }], orderedAt: '2026-02-30' }),
      JSON.stringify({ items: [{ sku: 'NOPE-1', quantity: 1 }] }),
      JSON.stringify({
        tenantId: alice.tenantId,
        items: [{ sku: 'TEE.L', quantity: 2 }],
        note: '<script>x</script>',
      }),
    ];
    const job = await importFile(alice, 'ndjson', `${lines.join('\n')}\n`);

    expect(job.status).toBe('succeeded');
    const result = job.result as unknown as UploadResult;
    expect(result).toMatchObject({ created: 2, invalidCount: 5 });
    expect(result.invalid.map((e) => e.line)).toEqual([2, 3, 4, 5, 6]);
    expect(result.invalid[0]?.reason).toContain('another tenant');
    expect(result.invalid[1]?.reason).toContain('sku');
    expect(result.invalid[2]?.reason).toBe('not a JSON object');
    expect(result.invalid[3]?.reason).toContain('orderedAt');
    expect(result.invalid[4]?.reason).toContain('NOPE-1');
    expect(await probe.storedOrders(alice.tenantId)).toHaveLength(2);
    expect(await probe.storedOrders(bob.tenantId)).toHaveLength(0);
  });

  it(`keeps the first ${MAX_KEPT_LINE_ERRORS} line errors and counts them all`, async () => {
    const alice = await tenantWithCatalog();
    const job = await importFile(
      alice,
      'ndjson',
      ndjson(130, () => ({ items: [] })),
    );

    const result = job.result as unknown as UploadResult;
    expect(result.invalidCount).toBe(130);
    expect(result.invalid).toHaveLength(MAX_KEPT_LINE_ERRORS);
    expect(result.invalid.at(-1)?.line).toBe(MAX_KEPT_LINE_ERRORS);
  });

  it.each([
    ['ndjson', Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02]), 'binary'],
    ['ndjson', 'name,quantity\nmug,1\n', 'not NDJSON'],
    ['csv', '{"items":[{"sku":"MUG-1","quantity":1}]}\n', 'not an orders CSV'],
  ] as const)(
    'fails the job with a reason when a %s upload is not of its format (%#)',
    async (format, file, reason) => {
      const alice = await tenantWithCatalog();
      const job = await importFile(alice, format, file);

      expect(job.status).toBe('failed');
      expect(job.error?.code).toBe('InvalidFile');
      expect(job.error?.message).toContain(reason);
      expect(await probe.storedOrders(alice.tenantId)).toHaveLength(0);
    },
  );

  it('continues a long import in follow-up messages from its checkpoint, each line imported once', async () => {
    const alice = await tenantWithCatalog();
    let segments = 0;
    const pausing = createJobWorkerHandler(workerConfig(), {
      runner: createJobRunner({
        jobs: createJobsRepository(TEST_ENV.TABLE_NAME),
        orders: createOrdersRepository(TEST_ENV.TABLE_NAME),
        reports: createReportQueries(TEST_ENV.TABLE_NAME),
        files: createFilesStore(TEST_ENV.FILES_BUCKET_NAME),
        queue: {
          async send(message, type) {
            segments += 1;
            await createJobQueue(queues.workUrl).send(message, type);
          },
        },
        idempotencyTableName: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
        tenantStatus: (tenant) => readTenantStatus(TEST_ENV.TABLE_NAME, tenant),
        // Always "running out of time": every batch ends its delivery.
        pauseWhenRemainingMs: Number.MAX_SAFE_INTEGER,
      }),
    });
    workerHandler = pausing;
    const lines = 2 * UPLOAD_BATCH_LINES + 100;
    const job = await importFile(alice, 'ndjson', ndjson(lines));

    expect(job.status).toBe('succeeded');
    expect(segments).toBe(2);
    expect(job.result).toMatchObject({ created: lines, alreadyImported: 0, invalidCount: 0, lines });
    expect(await probe.storedOrders(alice.tenantId)).toHaveLength(lines);
  });

  it('imports nothing twice when the upload notification is delivered again', async () => {
    const alice = await tenantWithCatalog();
    const accepted = await postJob(alice, { type: 'orders.import', source: 'upload', format: 'ndjson' });
    const key = String(accepted.body.upload.fields.key);
    expect((await postForm(accepted.body.upload, ndjson(40))).status).toBe(204);
    await finished(alice, accepted.body.jobId);
    // The same object created again (S3 delivers at least once): a second notification.
    await new S3Client({ endpoint: files.endpoint, forcePathStyle: true }).send(
      new PutObjectCommand({ Bucket: TEST_ENV.FILES_BUCKET_NAME, Key: key, Body: ndjson(40) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));

    expect(await probe.storedOrders(alice.tenantId)).toHaveLength(40);
    expect((await getJob(alice, accepted.body.jobId)).body.result).toMatchObject({ created: 40 });
  });
});

describe('GET /jobs/{jobId}/result', () => {
  async function report(principal: LambdaAuthorizerContext): Promise<string> {
    const res = await postJob(principal, { type: 'orders.report', from: '2020-01-01', to: '2020-12-31' });
    expect(res.statusCode).toBe(202);
    return res.body.jobId;
  }

  it('redirects (303) a succeeded report to a pre-signed GET of its CSV, valid for minutes', async () => {
    const alice = await tenantWithCatalog();
    const jobId = await report(alice);
    const job = await finished(alice, jobId);
    expect(job.status).toBe('succeeded');

    const res = await getResult(alice, jobId);
    expect(res.statusCode).toBe(303);
    const location = new URL(String(res.headers.Location));
    expect(location.pathname).toContain(TENANT_FILES.report(alice.tenantId, jobId));
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBe(300);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
    // S3 answers with these overrides; the local engine keeps the stored headers (see the report), so the URL is checked.
    expect(location.searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="orders-report-2020-01-01-2020-12-31.csv"',
    );
    expect(await download.text()).toBe('orderId,createdAt,status,currency,total\n');
  });

  it('answers the same pre-signed link as JSON to a client asking for application/json (a browser page cannot follow the 303)', async () => {
    const alice = await tenantWithCatalog();
    const jobId = await report(alice);
    await finished(alice, jobId);
    const res = await invoke<{ url: string }>(
      api,
      lambdaAuthorizerEvent(
        {
          method: 'GET',
          resource: '/jobs/{jobId}/result',
          pathParameters: { jobId },
          headers: { Accept: 'application/json' },
        },
        alice,
      ),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['Cache-Control']).toBe('private, no-store');
    const url = new URL(res.body.url);
    expect(url.pathname).toContain(TENANT_FILES.report(alice.tenantId, jobId));
    expect(await (await fetch(url)).text()).toBe('orderId,createdAt,status,currency,total\n');
    // Without the Accept header it stays the 303 every other client follows.
    expect((await getResult(alice, jobId)).statusCode).toBe(303);
  });

  it("answers 404 for another tenant's job and 409 for an unfinished one", async () => {
    const alice = await tenantWithCatalog();
    const bob = await tenantWithCatalog();
    const jobId = await report(alice);
    await finished(alice, jobId);
    expect((await getResult(bob, jobId)).statusCode).toBe(404);

    const upload = await postJob(alice, { type: 'orders.import', source: 'upload', format: 'ndjson' });
    expect((await getResult(alice, upload.body.jobId)).statusCode).toBe(404);
    const queued = await postJob(alice, { type: 'orders.report', from: '2021-01-01', to: '2021-01-02' });
    const early = await getResult(alice, queued.body.jobId);
    expect([409, 303]).toContain(early.statusCode);
  });

  it("gets S3's 403 for an expired link", async () => {
    const expired = await getSignedUrl(
      new S3Client({ endpoint: files.endpoint, forcePathStyle: true }),
      new GetObjectCommand({
        Bucket: TEST_ENV.FILES_BUCKET_NAME,
        Key: 'tenants/t0000000000000000/reports/x.csv',
      }),
      { expiresIn: 60, signingDate: new Date(Date.now() - 10 * 60_000) },
    );
    const res = await fetch(expired);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });
});

describe('GET /orders/{orderId}/invoice', () => {
  const getInvoice = (principal: LambdaAuthorizerContext, orderId: string, accept?: string) =>
    orders(
      lambdaAuthorizerEvent(
        {
          method: 'GET',
          resource: '/orders/{orderId}/invoice',
          pathParameters: { orderId },
          ...(accept ? { headers: { Accept: accept } } : {}),
        },
        principal,
      ),
      lambdaContext(),
    );

  async function anOrder(principal: LambdaAuthorizerContext): Promise<string> {
    const res = await invoke(
      orders,
      lambdaAuthorizerEvent(
        {
          method: 'POST',
          resource: '/orders',
          body: { items: [{ sku: 'MUG-1', quantity: 2 }], note: 'für Zoë — 日本 ✓' },
        },
        principal,
      ),
    );
    expect(res.statusCode).toBe(201);
    return String(res.body.orderId);
  }

  it('answers a PDF, base64 with isBase64Encoded, naming the order and its total', async () => {
    const alice = await tenantWithCatalog();
    const orderId = await anOrder(alice);
    const res = await getInvoice(alice, orderId, 'application/pdf');

    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(true);
    expect(res.headers?.['Content-Type']).toBe('application/pdf');
    const bytes = Buffer.from(res.body, 'base64');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getTitle()).toBe(`Invoice ${orderId}`);
    expect(pdf.getPageCount()).toBe(1);
  });

  it("answers 404 for another tenant's order and 406 without Accept: application/pdf", async () => {
    const alice = await tenantWithCatalog();
    const bob = await tenantWithCatalog();
    const orderId = await anOrder(alice);
    expect((await getInvoice(bob, orderId, 'application/pdf')).statusCode).toBe(404);
    const json = await getInvoice(alice, orderId, 'application/json');
    expect(json.statusCode).toBe(406);
    expect(JSON.parse(json.body).message).toContain('Accept: application/pdf');
  });
});
