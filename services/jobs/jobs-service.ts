import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { JOB_ID_PATTERN, type Job } from '../../shared/codecs/job-codec';
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  ValidationError,
} from '../../shared/errors';
import { type FirstRun, idempotentRequest } from '../../shared/idempotent-request';
import { deterministicSortableId, sortableId } from '../../shared/ids';
import { logger } from '../../shared/logger';
import type { Principal } from '../../shared/tenant-context';
import { TENANT_FILES, UPLOAD_FORMATS } from '../../shared/tenant-files';
import type { FileLinks, UploadForm } from './file-links';
import { jsonBytes, splitIntoChunks } from './import-chunks';
import { JOB_DEADLINE_SECONDS, type JobView, jobView } from './job-lifecycle';
import type { JobQueue } from './job-queue';
import {
  type CreateJobInput,
  DEFAULT_JOB_PAGE_SIZE,
  daysInRange,
  type ListJobsQuery,
  MAX_IMPORT_ORDER_BYTES,
  MAX_IMPORT_ORDERS,
  MAX_REPORT_DAYS,
} from './job-schemas';
import type { JobsRepository } from './jobs-repository';

/** Import input is kept a week after creation (the job's deadline is far shorter), then expires by TTL. */
const INPUT_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface JobsServiceOptions {
  readonly repository: JobsRepository;
  readonly queue: JobQueue;
  /** Signs upload forms and download links in the files bucket. */
  readonly files: FileLinks;
  /** Table of Powertools idempotency records (partition key `id`). */
  readonly idempotencyTableName: string;
  /** @default the shared DynamoDB client */
  readonly dynamoClient?: DynamoDBClient;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** A job just accepted; an upload import carries the form its file is to be posted with. */
export type AcceptedJob = JobView & { readonly upload?: UploadForm };

/** Options of `createJob`. */
export interface CreateJobOptions {
  /** The client's Idempotency-Key header, already validated. */
  readonly idempotencyKey?: string;
  /** The invocation's context, so an in-progress key expires when the invocation would have timed out. */
  readonly lambdaContext: Context;
}

interface SubmitJobRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly idempotencyKey: string | null;
  readonly job: CreateJobInput;
}

/**
 * Refuses what the request schema cannot express, before anything is written: too many or too large import
 * orders (413), a backwards or too long report range (400).
 */
function assertAcceptable(input: CreateJobInput): void {
  if (input.type === 'orders.import') {
    if (input.orders === undefined) return;
    if (input.orders.length > MAX_IMPORT_ORDERS) {
      throw new PayloadTooLargeError(
        `an import takes at most ${MAX_IMPORT_ORDERS} orders; this one has ${input.orders.length}: split it into several jobs`,
        { maxOrders: MAX_IMPORT_ORDERS },
      );
    }
    const { orders } = input;
    const index = orders.findIndex((order) => jsonBytes(order) > MAX_IMPORT_ORDER_BYTES);
    if (index >= 0) {
      throw new PayloadTooLargeError(
        `orders.${index} is ${jsonBytes(orders[index])} bytes of JSON; an order is at most ${MAX_IMPORT_ORDER_BYTES}`,
      );
    }
    return;
  }
  const days = daysInRange(input.from, input.to);
  if (days < 1)
    throw new ValidationError(`invalid request body: to (${input.to}) is before from (${input.from})`);
  if (days > MAX_REPORT_DAYS) {
    throw new ValidationError(
      `invalid request body: a report covers at most ${MAX_REPORT_DAYS} days; ${input.from}..${input.to} is ${days}`,
    );
  }
}

/** The jobs API's domain: accept work (job record first, then the message), and report on it. */
export function createJobsService(options: JobsServiceOptions) {
  const { repository, queue } = options;
  const clock = options.clock ?? Date.now;

  async function submitJob(request: SubmitJobRequest, run: FirstRun): Promise<AcceptedJob> {
    // A retry of a crashed first run derives the same id and times, so it finds what that run wrote.
    const now = run.at;
    const timestamp = new Date(now).toISOString();
    const jobId = run.idSeed === null ? sortableId(now) : deterministicSortableId(now, `jobs#${run.idSeed}`);
    const { tenantId, job: input } = request;
    const common = {
      jobId,
      status: 'queued' as const,
      createdAt: timestamp,
      updatedAt: timestamp,
      deadline: new Date(now + JOB_DEADLINE_SECONDS * 1000).toISOString(),
      createdBy: request.userId,
      attempts: 0,
    };
    let job: Job;
    if (input.type === 'orders.import' && input.source === 'upload' && input.format !== undefined) {
      // Nothing is sent yet: the upload's arrival (S3 → the jobs queue) starts the job.
      const key = TENANT_FILES.upload(tenantId, jobId, input.format);
      job = {
        ...common,
        type: input.type,
        parameters: { source: 'upload', format: input.format, key },
        progress: { done: 0, total: 0 },
      };
      if (!(await repository.putNewJob(tenantId, job))) {
        const stored = await repository.getJob(tenantId, jobId);
        if (!stored) throw new Error(`job '${jobId}' exists and cannot be read`);
        job = stored;
      }
      const upload = await options.files.uploadForm(key, UPLOAD_FORMATS[input.format].contentType);
      logger.info('upload job awaiting its file', { jobId, format: input.format });
      return { ...jobView(job, clock()), upload };
    }
    if (input.type === 'orders.import') {
      const orders = input.orders ?? [];
      const chunks = splitIntoChunks(orders);
      await repository.putInputChunks(tenantId, jobId, chunks, Math.floor(now / 1000) + INPUT_TTL_SECONDS);
      job = {
        ...common,
        type: input.type,
        parameters: { orderCount: orders.length, chunkCount: chunks.length },
        progress: { done: 0, total: orders.length },
      };
    } else {
      job = {
        ...common,
        type: input.type,
        parameters: { from: input.from, to: input.to },
        progress: { done: 0, total: daysInRange(input.from, input.to) },
      };
    }
    if (!(await repository.putNewJob(tenantId, job))) {
      // The first run stored the job; it may have crashed before sending it (a second message for a job that
      // was sent is harmless: the worker runs a job once).
      const stored = await repository.getJob(tenantId, jobId);
      if (!stored) throw new Error(`job '${jobId}' exists and cannot be read`);
      if (stored.status !== 'queued') return jobView(stored, clock());
      job = stored;
    }
    try {
      await queue.send({ tenantId, jobId }, job.type);
    } catch (error) {
      // The job exists and must not stay `queued` forever: record why it never started.
      logger.error('job could not be queued', { jobId, error: error as Error });
      const reason = error instanceof Error ? error.name : 'unknown error';
      await repository.transition(tenantId, jobId, {
        to: 'failed',
        from: ['queued'],
        now: new Date(clock()).toISOString(),
        error: { code: 'NotQueued', message: `the job could not be queued (${reason}); submit it again` },
      });
      throw new ServiceUnavailableError(
        `job '${jobId}' could not be queued; it is marked failed; retry`,
        {
          jobId,
        },
        { cause: error },
      );
    }
    logger.info('job queued', { jobId, type: job.type });
    return jobView(job, clock());
  }

  const submitJobOnce = idempotentRequest(submitJob, {
    keyPrefix: 'jobs.create',
    payloadField: 'job',
    what: 'job',
    tableName: options.idempotencyTableName,
    clock,
    ...(options.dynamoClient ? { dynamoClient: options.dynamoClient } : {}),
  });

  async function requireJob(tenantId: string, jobId: string): Promise<Job> {
    // Malformed ids answer exactly like another tenant's: 404.
    const job = JOB_ID_PATTERN.test(jobId) ? await repository.getJob(tenantId, jobId) : undefined;
    if (!job) throw new NotFoundError(`job '${jobId}' not found`);
    return job;
  }

  return {
    /**
     * Accepts a job: stores it `queued`, then sends its message. With an idempotency key, a retry with the same
     * body returns the first job; the same key with another body is a 422, and one still running a 409.
     */
    async createJob(
      principal: Principal,
      input: CreateJobInput,
      opts: CreateJobOptions,
    ): Promise<AcceptedJob> {
      assertAcceptable(input);
      const request: SubmitJobRequest = {
        tenantId: principal.tenantId,
        userId: principal.userId,
        idempotencyKey: opts.idempotencyKey ?? null,
        job: input,
      };
      return submitJobOnce(request, opts.lambdaContext);
    },

    /** The job, if it belongs to the caller's tenant; otherwise a 404 like any missing job. */
    async getJob(principal: Principal, jobId: string): Promise<JobView> {
      return jobView(await requireJob(principal.tenantId, jobId), clock());
    },

    /**
     * Where the job's file is: a pre-signed GET of a succeeded report's CSV, valid for minutes. A job of another
     * tenant is a 404; one not succeeded (yet) a 409; a job that makes no file (an import) a 404.
     */
    async resultLink(principal: Principal, jobId: string): Promise<string> {
      const job = await requireJob(principal.tenantId, jobId);
      if (job.type !== 'orders.report') {
        throw new NotFoundError(`job '${jobId}' is an ${job.type}: it has no file; its result is in the job`);
      }
      const view = jobView(job, clock());
      if (view.status !== 'succeeded') {
        throw new ConflictError(`job '${jobId}' is ${view.status}: its file is ready once it has succeeded`, {
          status: view.status,
        });
      }
      return options.files.downloadUrl(
        TENANT_FILES.report(principal.tenantId, jobId),
        `orders-report-${job.parameters.from}-${job.parameters.to}.csv`,
        'text/csv',
      );
    },

    /** One page of the caller's tenant's jobs, newest first. */
    async listJobs(
      principal: Principal,
      query: ListJobsQuery,
    ): Promise<{ items: JobView[]; nextToken?: string }> {
      const page = await repository.listJobs(principal.tenantId, {
        limit: query.limit ?? DEFAULT_JOB_PAGE_SIZE,
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.nextToken !== undefined ? { nextToken: query.nextToken } : {}),
      });
      const now = clock();
      return {
        items: page.items.map((job) => jobView(job, now)),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
  };
}

/** The jobs domain bound to its repository, queue and idempotency store. */
export type JobsService = ReturnType<typeof createJobsService>;
