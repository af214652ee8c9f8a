import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { type Job, UNFINISHED_JOB_STATUSES } from '../../shared/codecs/job-codec';
import { dynamoClient } from '../../shared/dynamo';
import { isOverdue, TIMED_OUT } from '../jobs/job-lifecycle';
import type { JobMessage } from '../jobs/job-message';
import type { JobsRepository } from '../jobs/jobs-repository';
import type { OrdersRepository } from '../orders/orders-repository';
import { importOrders } from './orders-import';
import { createReportAccumulator, reportWindow } from './orders-report';
import type { ReportQueries } from './report-queries';

/** How long a finished run is remembered, so a duplicate message changes nothing (longer than any redelivery). */
export const RUN_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** What one delivery of a job message came to. */
export type RunOutcome =
  | 'succeeded'
  | 'already-finished'
  | 'timed-out'
  | 'missing'
  | 'taken'
  | 'tenant-not-active';

export interface JobRunnerOptions {
  readonly jobs: JobsRepository;
  readonly orders: OrdersRepository;
  readonly reports: ReportQueries;
  /** Table of Powertools idempotency records (partition key `id`). */
  readonly idempotencyTableName: string;
  /** @default the shared DynamoDB client */
  readonly dynamoClient?: DynamoDBClient;
  /** @default Date.now */
  readonly clock?: () => number;
  /** The tenant's status (a job of a tenant that is not ACTIVE is not run). */
  readonly tenantStatus: (tenantId: string) => Promise<string | undefined>;
}

/** Why a queued job of a suspended (or offboarded) tenant was not run. */
export const TENANT_NOT_ACTIVE = { code: 'TenantNotActive', message: 'the tenant is not active' } as const;

/**
 * Runs jobs: queued → running → succeeded, with progress on the job item (so the table's stream carries it).
 * Each job runs at most once to completion (Powertools idempotency keyed by tenant and job); a run that crashed
 * is started again when its message comes back, and its steps are safe to repeat.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const { jobs } = options;
  const clock = options.clock ?? Date.now;
  const now = () => new Date(clock()).toISOString();

  async function execute(tenantId: string, job: Job): Promise<Record<string, unknown>> {
    if (job.type === 'orders.import') {
      const chunks = await jobs.readInputChunks(tenantId, job.jobId);
      const total = job.progress.total;
      return importOrders({
        tenantId,
        job,
        chunks,
        orders: options.orders,
        onProgress: (done) => jobs.recordProgress(tenantId, job.jobId, { done, total }, now()),
      });
    }
    const { from, to } = job.parameters;
    const report = createReportAccumulator(from, to);
    const { start, end } = reportWindow(from, to);
    for await (const page of options.reports.ordersCreatedBetween(tenantId, start, end)) {
      report.add(page);
      const last = page.at(-1);
      if (last) {
        const progress = { done: report.daysBefore(last.createdAt), total: job.progress.total };
        await jobs.recordProgress(tenantId, job.jobId, progress, now());
      }
    }
    return report.result();
  }

  async function run(message: JobMessage, log: Logger): Promise<RunOutcome> {
    const { tenantId, jobId } = message;
    const job = await jobs.getJob(tenantId, jobId);
    if (!job) {
      // Nothing to run or to mark: a message for a job that does not exist is dropped, loudly.
      log.warn('no such job; message dropped');
      return 'missing';
    }
    if (!UNFINISHED_JOB_STATUSES.includes(job.status)) return 'already-finished';
    if ((await options.tenantStatus(tenantId)) !== 'ACTIVE') {
      await jobs.transition(tenantId, jobId, {
        to: 'failed',
        from: UNFINISHED_JOB_STATUSES,
        now: now(),
        error: TENANT_NOT_ACTIVE,
      });
      log.warn('the tenant is not active; job marked failed, not run');
      return 'tenant-not-active';
    }
    if (isOverdue(job, clock())) {
      await jobs.transition(tenantId, jobId, {
        to: 'failed',
        from: UNFINISHED_JOB_STATUSES,
        now: now(),
        error: TIMED_OUT,
      });
      log.warn('job is past its deadline; marked failed');
      return 'timed-out';
    }
    const running = await jobs.transition(tenantId, jobId, {
      to: 'running',
      from: UNFINISHED_JOB_STATUSES,
      now: now(),
      countAttempt: true,
    });
    if (!running) return 'taken';
    log.info('job started', { type: job.type, attempt: running.attempts });
    const result = await execute(tenantId, running);
    const done = await jobs.transition(tenantId, jobId, {
      to: 'succeeded',
      from: ['running'],
      now: now(),
      result,
      progress: { done: running.progress.total, total: running.progress.total },
    });
    log.info('job finished', { status: done?.status ?? 'finished elsewhere' });
    return 'succeeded';
  }

  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[tenantId, jobId]',
    expiresAfterSeconds: RUN_IDEMPOTENCY_TTL_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const runOnce = makeIdempotent(
    // The logger is not part of the key: only the first argument is hashed.
    async (message: JobMessage, log: Logger) => ({ outcome: await run(message, log) }),
    {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: options.idempotencyTableName,
        keyAttr: 'id',
        awsSdkV3Client: options.dynamoClient ?? dynamoClient,
      }),
      config: idempotencyConfig,
      keyPrefix: 'jobs.run',
    },
  );

  return {
    /**
     * Runs the job of one message, once: a duplicate of a finished run returns its outcome without touching
     * anything; one that arrives while the run is in progress throws IdempotencyAlreadyInProgressError.
     */
    async run(message: JobMessage, log: Logger, lambdaContext: Context): Promise<RunOutcome> {
      idempotencyConfig.registerLambdaContext(lambdaContext);
      const { outcome } = await runOnce(message, log);
      return outcome;
    },

    /** Marks an unfinished job failed with `reason` (its last delivery failed: nobody will finish it). */
    async fail(message: JobMessage, reason: string): Promise<void> {
      await jobs.transition(message.tenantId, message.jobId, {
        to: 'failed',
        from: UNFINISHED_JOB_STATUSES,
        now: now(),
        error: { code: 'JobFailed', message: reason },
      });
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
