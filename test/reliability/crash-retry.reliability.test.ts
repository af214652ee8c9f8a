/**
 * A retry after a crash never duplicates. Every SDK call of `POST /jobs` and `POST /orders` is a step of the write
 * path; for each step k the function "dies" there: step k and every call after it fail (the process is gone, so
 * not even Powertools' clean-up reaches DynamoDB and its record stays INPROGRESS until it expires). The client
 * then retries with the same Idempotency-Key and body on a healthy function, and the tenant ends up with exactly
 * one job and one set of orders (or one order), whatever step the crash hit.
 *
 * The engines are real (dynalite, fauxqs, the local cloud's SQS poller); the only thing mocked is the crash: a
 * middleware on fresh SDK clients that refuses calls from step k on.
 */
import '../support/library-env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { readJobWorkerConfig } from '../../services/job-worker/config';
import { createJobWorkerHandler } from '../../services/job-worker/handler';
import { createFileLinks } from '../../services/jobs/file-links';
import type { JobView } from '../../services/jobs/job-lifecycle';
import { createJobQueue } from '../../services/jobs/job-queue';
import { createJobsRepository } from '../../services/jobs/jobs-repository';
import { createJobsService } from '../../services/jobs/jobs-service';
import { createOrdersRepository } from '../../services/orders/orders-repository';
import { createOrdersService } from '../../services/orders/orders-service';
import { tenantId } from '../../shared/ids';
import { trackingKeys } from '../../shared/keys/tracking-keys';
import type { Principal } from '../../shared/tenant-context';
import { lambdaContext } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { eventually, type JobsQueues, startJobsQueues } from '../support/jobs-fixtures';
import { OrdersTableProbe } from '../support/orders-fixtures';
import { putTenantProfile } from '../support/tenant-profiles';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

jest.setTimeout(300_000);

const CATALOG = [{ sku: 'MUG-1', name: 'Mug', price: 1299, currency: 'EUR' }];
const IMPORT = {
  type: 'orders.import' as const,
  orders: [1, 2, 3].map((quantity) => ({ items: [{ sku: 'MUG-1', quantity }] })),
};
const ORDER = { items: [{ sku: 'MUG-1', quantity: 2 }] };
/**
 * The crashed invocation's remaining time, which is how long its INPROGRESS record lives. Not tiny: Powertools
 * sets no in-progress expiry at all when the remaining time reads 0 by the time it looks.
 */
const CRASHED_TIMEOUT_MS = 250;

let engine: DynamoEngine;
let probe: OrdersTableProbe;
let queues: JobsQueues;

beforeAll(async () => {
  engine = await startDynamo();
  probe = new OrdersTableProbe(engine.client);
  let worker: ReturnType<typeof createJobWorkerHandler> | undefined;
  queues = await startJobsQueues(async (event) => worker?.(event, lambdaContext({ timeoutMs: 60_000 })));
  worker = createJobWorkerHandler(
    readJobWorkerConfig({
      TABLE_NAME: TEST_ENV.TABLE_NAME,
      TENANT_DATA_ROLE_ARN: TEST_ENV.TENANT_DATA_ROLE_ARN,
      IDEMPOTENCY_TABLE_NAME: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
      JOBS_QUEUE_URL: queues.workUrl,
      FILES_BUCKET_NAME: TEST_ENV.FILES_BUCKET_NAME,
      MAX_RECEIVE_COUNT: '5',
      RETRY_MAX_DELAY_SECONDS: '1',
    }),
    { tenantData: UNSCOPED_TENANT_DATA },
  );
}, 60_000);
afterAll(async () => {
  await queues?.stop();
  await engine?.stop();
});

class Crash extends Error {
  override name = 'SimulatedCrash';
}

/**
 * Fresh SDK clients that count every call and, from call `crashAt` on (0-based), fail it as a dead process would
 * never make it. `crashAt: Infinity` never crashes (used to count the steps).
 */
function clients(crashAt: number) {
  const state = { calls: 0, commands: [] as string[] };
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const crash =
    <I, O>(next: (args: I) => Promise<O>, context: { commandName?: string }) =>
    async (args: I): Promise<O> => {
      const step = state.calls;
      state.calls += 1;
      state.commands.push(String(context.commandName).replace(/Command$/, ''));
      if (step >= crashAt) throw new Crash(`the function died at step ${step}`);
      return next(args);
    };
  dynamo.middlewareStack.add(crash, { step: 'initialize', name: 'crashAfterSteps' });
  sqs.middlewareStack.add(crash, { step: 'initialize', name: 'crashAfterSteps' });
  const document = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  return { dynamo, sqs, document, state };
}

function jobsService(crashAt: number) {
  const c = clients(crashAt);
  const service = createJobsService({
    repository: createJobsRepository(TEST_ENV.TABLE_NAME, c.document),
    queue: createJobQueue(queues.workUrl, c.sqs),
    idempotencyTableName: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
    files: createFileLinks(TEST_ENV.FILES_BUCKET_NAME),
    dynamoClient: c.dynamo,
  });
  return { service, state: c.state };
}

function ordersService(crashAt: number) {
  const c = clients(crashAt);
  const service = createOrdersService({
    repository: createOrdersRepository(TEST_ENV.TABLE_NAME, c.document),
    idempotencyTableName: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
    dynamoClient: c.dynamo,
  });
  return { service, state: c.state };
}

async function newTenant(): Promise<Principal> {
  const id = tenantId();
  await probe.seedCatalog(id, CATALOG);
  // An active tenant: the worker fails the queued jobs of a tenant that is not (suspended, offboarded, unknown).
  await putTenantProfile(id, 'ACTIVE');
  return { tenantId: id, userId: `user-${id}`, role: 'member', groups: [] };
}

/** Runs `attempt` with a context that expires quickly, as a crashed invocation's record does, and waits it out. */
async function crashed(attempt: (context: Context) => Promise<unknown>): Promise<unknown> {
  let outcome: unknown;
  try {
    outcome = await attempt(lambdaContext({ timeoutMs: CRASHED_TIMEOUT_MS }));
  } catch (error) {
    outcome = error;
  }
  // The record expires at most CRASHED_TIMEOUT_MS after the context was made: wait past that.
  await new Promise((resolve) => setTimeout(resolve, CRASHED_TIMEOUT_MS + 100));
  return outcome;
}

const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`crash-retry figures:\n${figures.join('\n')}`);
});

describe('POST /jobs (orders.import) killed at every step of its write path', () => {
  it('ends with exactly one job and one set of imported orders after the client retries', async () => {
    const counting = jobsService(Number.POSITIVE_INFINITY);
    const counted = await newTenant();
    await counting.service.createJob(counted, IMPORT, {
      idempotencyKey: 'count',
      lambdaContext: lambdaContext(),
    });
    const steps = counting.state.calls;
    expect(steps).toBeGreaterThanOrEqual(5);

    for (let crashAt = 0; crashAt < steps; crashAt += 1) {
      const principal = await newTenant();
      const key = `import-crash-${crashAt}`;
      const first = await crashed((context) =>
        jobsService(crashAt).service.createJob(principal, IMPORT, {
          idempotencyKey: key,
          lambdaContext: context,
        }),
      );
      expect(first).toBeInstanceOf(Error);

      const retried = await jobsService(Number.POSITIVE_INFINITY).service.createJob(principal, IMPORT, {
        idempotencyKey: key,
        lambdaContext: lambdaContext(),
      });
      const replayed = await jobsService(Number.POSITIVE_INFINITY).service.createJob(principal, IMPORT, {
        idempotencyKey: key,
        lambdaContext: lambdaContext(),
      });
      expect(replayed.jobId).toBe(retried.jobId);

      const job = await eventually(async () => {
        const found = await jobsService(Number.POSITIVE_INFINITY).service.getJob(principal, retried.jobId);
        return found.status === 'succeeded' ? found : undefined;
      }, `job of crash at step ${crashAt} to succeed`);
      // Every message (a crash after SendMessage means two) has been handled before orders are counted.
      await eventually(
        async () => ((await queues.depth(queues.workUrl)) === 0 ? true : undefined),
        'the work queue to empty',
      );
      const jobs = await createJobsRepository(TEST_ENV.TABLE_NAME).listJobs(principal.tenantId, {
        limit: 100,
      });
      const orders = await probe.storedOrders(principal.tenantId);

      expect([crashAt, jobs.items.map((j: { jobId: string }) => j.jobId)]).toEqual([
        crashAt,
        [retried.jobId],
      ]);
      expect([crashAt, orders.length]).toEqual([crashAt, IMPORT.orders.length]);
      expect((job as JobView).result).toMatchObject({ invalid: [] });
    }
    figures.push(
      `POST /jobs: ${steps} steps (${counting.state.commands.join(', ')}), crashed at each then retried: 1 job and ${IMPORT.orders.length} orders every time`,
    );
  });
});

describe('POST /orders killed at every step of its write path', () => {
  it('ends with exactly one order, trackable by the tracking id the retry returns', async () => {
    const counting = ordersService(Number.POSITIVE_INFINITY);
    const counted = await newTenant();
    await counting.service.createOrder(counted, ORDER, {
      idempotencyKey: 'count',
      lambdaContext: lambdaContext(),
    });
    const steps = counting.state.calls;
    expect(steps).toBeGreaterThanOrEqual(4);

    for (let crashAt = 0; crashAt < steps; crashAt += 1) {
      const principal = await newTenant();
      const key = `order-crash-${crashAt}`;
      const first = await crashed((context) =>
        ordersService(crashAt).service.createOrder(principal, ORDER, {
          idempotencyKey: key,
          lambdaContext: context,
        }),
      );
      expect(first).toBeInstanceOf(Error);

      const retried = await ordersService(Number.POSITIVE_INFINITY).service.createOrder(principal, ORDER, {
        idempotencyKey: key,
        lambdaContext: lambdaContext(),
      });
      const replayed = await ordersService(Number.POSITIVE_INFINITY).service.createOrder(principal, ORDER, {
        idempotencyKey: key,
        lambdaContext: lambdaContext(),
      });

      const orders = await probe.storedOrders(principal.tenantId);
      expect([crashAt, orders.map((o) => o.orderId)]).toEqual([crashAt, [retried.orderId]]);
      expect(replayed.orderId).toBe(retried.orderId);
      const { Item: pointer } = await probe.client.send(
        new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: trackingKeys.pointer(retried.trackingId) }),
      );
      expect(pointer).toMatchObject({ tenantId: principal.tenantId, orderId: retried.orderId });
    }
    figures.push(
      `POST /orders: ${steps} steps (${counting.state.commands.join(', ')}), crashed at each then retried: 1 order every time, trackable`,
    );
  });

  it('refuses a retry with another body under the key of a crashed request (422), and creates nothing for it', async () => {
    const principal = await newTenant();
    await crashed((context) =>
      ordersService(4).service.createOrder(principal, ORDER, {
        idempotencyKey: 'other-body',
        lambdaContext: context,
      }),
    );
    const before = (await probe.storedOrders(principal.tenantId)).length;

    await expect(
      ordersService(Number.POSITIVE_INFINITY).service.createOrder(
        principal,
        { items: [{ sku: 'MUG-1', quantity: 9 }] },
        { idempotencyKey: 'other-body', lambdaContext: lambdaContext() },
      ),
    ).rejects.toMatchObject({ status: 422 });
    expect((await probe.storedOrders(principal.tenantId)).length).toBe(before);
  });
});
