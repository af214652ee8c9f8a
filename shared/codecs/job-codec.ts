import * as z from 'zod';
import { ENTITY_ATTRIBUTE, ENTITY_TYPES } from '../keys/entity-type';
import { jobKeys } from '../keys/job-keys';
import { decodeItem, encodeAttributes } from './stored-item';

/** The kinds of work `POST /jobs` accepts. */
export const JOB_TYPES = ['orders.import', 'orders.report'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** A job's lifecycle: queued → running → succeeded | failed (failed may also come straight from queued). */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** Statuses from which a job can still move; a job in any other status is finished. */
export const UNFINISHED_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running'];

/** Job ids are `ids.sortableId()`: 26 Crockford base32 characters. */
export const JOB_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** What an import's job item keeps of its input (the orders themselves are in the input chunks). */
const importParameters = z.object({ orderCount: z.int().min(1), chunkCount: z.int().min(1) });
/** A report's date range, inclusive, as `YYYY-MM-DD` (UTC days). */
const reportParameters = z.object({ from: z.iso.date(), to: z.iso.date() });

const common = {
  jobId: z.string().regex(JOB_ID_PATTERN),
  status: jobStatusSchema,
  progress: z.object({ done: z.int().min(0), total: z.int().min(0) }),
  /** What the worker produced (its shape is the job type's). */
  result: z.record(z.string(), z.unknown()).optional(),
  /** Why the job failed. */
  error: z.object({ code: z.string().min(1), message: z.string().min(1) }).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** After this instant an unfinished job is reported `failed: timed out`. */
  deadline: z.iso.datetime(),
  createdBy: z.string().min(1),
  /** How many times a worker started the job. */
  attempts: z.int().min(0),
};

/** A job as stored, written by the jobs API (creation) and the worker (progress, completion). */
export const jobSchema = z.discriminatedUnion('type', [
  z.object({ ...common, type: z.literal('orders.import'), parameters: importParameters }),
  z.object({ ...common, type: z.literal('orders.report'), parameters: reportParameters }),
]);
export type Job = Readonly<z.infer<typeof jobSchema>>;

/**
 * The stored attribute counting a job item's writes: every update adds one (see jobs-repository), so stream
 * consumers (the live-updates broadcaster) can order and de-duplicate a job's changes as they do an order's.
 */
export const JOB_VERSION_ATTRIBUTE = 'version';

/** Job ⇄ table item, under the tenant's jobs partition, with its status-index keys. */
export const jobCodec = {
  toItem(tenantId: string, job: Job): Record<string, unknown> {
    return {
      ...jobKeys.job(tenantId, job.jobId),
      ...jobKeys.statusIndex(tenantId, job.status, job.jobId),
      ...encodeAttributes('job', jobSchema, job),
      // The entity name the stream filter selects on (shared/keys/entity-type.ts), and the first version.
      [ENTITY_ATTRIBUTE]: ENTITY_TYPES.job,
      [JOB_VERSION_ATTRIBUTE]: 1,
    };
  },
  /**
   * The stored job without its keys.
   * @throws CorruptItemError naming the item's key when the stored job does not decode.
   */
  fromItem(item: Record<string, unknown>): Job {
    return decodeItem('job', jobSchema, item);
  },
};
