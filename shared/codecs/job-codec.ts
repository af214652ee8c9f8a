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

/** What an inline import's job item keeps of its input (the orders themselves are in the input chunks). */
const inlineImportParameters = z.strictObject({ orderCount: z.int().min(1), chunkCount: z.int().min(1) });
/** An import by upload: the file's format and its key in the files bucket (fixed by the service, never the client's). */
const uploadImportParameters = z.strictObject({
  source: z.literal('upload'),
  format: z.enum(['ndjson', 'csv']),
  key: z.string().min(1),
});
const importParameters = z.union([uploadImportParameters, inlineImportParameters]);

/** One line of an upload that was not imported: its number (1-based, as an editor shows it) and why. */
export const lineErrorSchema = z.object({ line: z.int().min(1), reason: z.string() });
export type LineError = z.infer<typeof lineErrorSchema>;

/**
 * Where an upload's import stands after its last written batch: lines up to `line` are dealt with, and the counts
 * so far. A follow-up delivery (`segment`) continues from here, so a long import outlives one invocation.
 */
export const importCheckpointSchema = z.object({
  segment: z.int().min(0),
  line: z.int().min(0),
  created: z.int().min(0),
  alreadyImported: z.int().min(0),
  invalidCount: z.int().min(0),
  /** The first errors (at most MAX_KEPT_LINE_ERRORS); `invalidCount` counts them all. */
  invalid: z.array(lineErrorSchema),
});
export type ImportCheckpoint = z.infer<typeof importCheckpointSchema>;
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
  /** An upload's import so far (absent until its first batch is written). */
  checkpoint: importCheckpointSchema.optional(),
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
