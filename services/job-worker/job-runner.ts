import { Transform } from 'node:stream';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { type Job, UNFINISHED_JOB_STATUSES } from '../../shared/codecs/job-codec';
import { dynamoClient } from '../../shared/dynamo';
import { TENANT_FILES } from '../../shared/tenant-files';
import { isOverdue, TIMED_OUT } from '../jobs/job-lifecycle';
import type { JobMessage } from '../jobs/job-message';
import type { JobQueue } from '../jobs/job-queue';
import type { JobsRepository } from '../jobs/jobs-repository';
import type { OrdersRepository } from '../orders/orders-repository';
import type { FilesStore } from './files-store';
import { importOrders } from './orders-import';
import { createReportAccumulator, reportCsv, reportWindow } from './orders-report';
import type { ReportQueries } from './report-queries';
import { importUpload } from './upload-import';

/** How long a finished run is remembered, so a duplicate message changes nothing (longer than any redelivery). */
export const RUN_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** What one delivery of a job message came to. */
export type RunOutcome =
  | 'succeeded'
  | 'continued'
  | 'rejected'
  | 'already-finished'
  | 'timed-out'
  | 'missing'
  | 'taken'
  | 'tenant-not-active';

/**
 * A long import stops when the invocation has less than this left (plus twice its last batch's time), and a
 * follow-up message continues it: the worker's timeout stays short (the queue's visibility timeout and the job's
 * deadline are sized from it). A worker that overran its timeout instead would only be retried after the
 * visibility timeout (6 minutes).
 */
export const PAUSE_WHEN_REMAINING_MS = 15_000;

/** What running a job's work came to. */
type Execution =
  | {
      readonly kind: 'done';
      readonly result: Record<string, unknown>;
      /** The final progress, when it is not the job's total (an upload's is its size in bytes). */
      readonly progress?: Job['progress'];
    }
  | { readonly kind: 'continued' }
  | { readonly kind: 'rejected'; readonly reason: string };

export interface JobRunnerOptions {
  readonly jobs: JobsRepository;
  readonly orders: OrdersRepository;
  readonly reports: ReportQueries;
  /** Uploads to import and reports to write. */
  readonly files: FilesStore;
  /** Where a long import's follow-up is sent (the jobs queue). */
  readonly queue: JobQueue;
  /** @default PAUSE_WHEN_REMAINING_MS */
  readonly pauseWhenRemainingMs?: number;
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

  async function importFromUpload(
    tenantId: string,
    job: Job,
    message: JobMessage,
    lambdaContext: Context,
  ): Promise<Execution> {
    if (job.type !== 'orders.import' || !('source' in job.parameters))
      throw new Error('not an upload import');
    const { format, key } = job.parameters;
    const segment = message.segment ?? 0;
    const file = await options.files.open(tenantId, key);
    let bytes = 0;
    const counted = file.body.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      }),
    );
    file.body.on('error', (error) => counted.destroy(error));
    const pauseAt = options.pauseWhenRemainingMs ?? PAUSE_WHEN_REMAINING_MS;
    const outcome = await importUpload({
      tenantId,
      job,
      format,
      body: counted,
      orders: options.orders,
      segment,
      ...(job.checkpoint ? { checkpoint: job.checkpoint } : {}),
      // Room for the margin and two more batches as slow as the last one.
      shouldPause: (lastBatchMs) => lambdaContext.getRemainingTimeInMillis() < pauseAt + 2 * lastBatchMs,
      onBatch: (checkpoint) =>
        jobs.recordCheckpoint(
          tenantId,
          job.jobId,
          checkpoint,
          { done: Math.min(bytes, file.size), total: file.size },
          now(),
        ),
    });
    file.body.destroy();
    if (outcome.kind === 'rejected') return outcome;
    if (outcome.kind === 'paused') {
      await options.queue.send({ tenantId, jobId: job.jobId, segment: segment + 1 }, job.type);
      return { kind: 'continued' };
    }
    const { segment: _segment, line, ...counts } = outcome.checkpoint;
    return {
      kind: 'done',
      result: { ...counts, lines: line, bytes: file.size },
      progress: { done: file.size, total: file.size },
    };
  }

  async function execute(
    tenantId: string,
    job: Job,
    message: JobMessage,
    lambdaContext: Context,
  ): Promise<Execution> {
    if (job.type === 'orders.import' && 'source' in job.parameters) {
      return importFromUpload(tenantId, job, message, lambdaContext);
    }
    if (job.type === 'orders.import') {
      const chunks = await jobs.readInputChunks(tenantId, job.jobId);
      const total = job.progress.total;
      const result = await importOrders({
        tenantId,
        job,
        chunks,
        orders: options.orders,
        onProgress: (done) => jobs.recordProgress(tenantId, job.jobId, { done, total }, now()),
      });
      return { kind: 'done', result };
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
    await options.files.putCsv(tenantId, TENANT_FILES.report(tenantId, job.jobId), reportCsv(report.rows()));
    return { kind: 'done', result: report.result() };
  }

  async function run(message: JobMessage, log: Logger, lambdaContext: Context): Promise<RunOutcome> {
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
      countAttempt: message.segment === undefined,
    });
    if (!running) return 'taken';
    log.info('job started', { type: job.type, attempt: running.attempts, segment: message.segment ?? 0 });
    const execution = await execute(tenantId, running, message, lambdaContext);
    if (execution.kind === 'continued') {
      log.info('job continues in a follow-up message', { segment: (message.segment ?? 0) + 1 });
      return 'continued';
    }
    if (execution.kind === 'rejected') {
      await jobs.transition(tenantId, jobId, {
        to: 'failed',
        from: ['running'],
        now: now(),
        error: { code: 'InvalidFile', message: execution.reason },
      });
      log.info('job failed: its file is not of its format', { reason: execution.reason });
      return 'rejected';
    }
    const { result } = execution;
    const finalProgress = execution.progress ?? {
      done: running.progress.total,
      total: running.progress.total,
    };
    const done = await jobs.transition(tenantId, jobId, {
      to: 'succeeded',
      from: ['running'],
      now: now(),
      result,
      progress: finalProgress,
    });
    log.info('job finished', { status: done?.status ?? 'finished elsewhere' });
    return 'succeeded';
  }

  const idempotencyConfig = new IdempotencyConfig({
    // A long import's follow-ups are runs of their own: the segment is part of the key.
    eventKeyJmesPath: '[tenantId, jobId, segment]',
    expiresAfterSeconds: RUN_IDEMPOTENCY_TTL_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const runOnce = makeIdempotent(
    // The logger and context are not part of the key: only the first argument is hashed.
    async (message: JobMessage, log: Logger, lambdaContext: Context) => ({
      outcome: await run(message, log, lambdaContext),
    }),
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
      const { outcome } = await runOnce(message, log, lambdaContext);
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
