import * as z from 'zod';

/** The longest a failed job message may wait before its next delivery, and the default of that wait's cap. */
export const MAX_RETRY_DELAY_SECONDS = 5 * 60;

/**
 * The job worker's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/jobs.ts binds exactly these names at synth.
 */
export const jobWorkerEnvironment = {
  /** The single table: jobs and their input, orders, the catalog for pricing. */
  TABLE_NAME: z.string().min(1),
  /** The role the worker assumes for the tenant of each job (tenantId session tag): all its tenant data goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
  /** Powertools idempotency records (partition key `id`): one per job run. */
  IDEMPOTENCY_TABLE_NAME: z.string().min(1),
  /** Tenant files: the worker reads `tenants/<tenantId>/uploads/` and writes `…/reports/`. */
  FILES_BUCKET_NAME: z.string().min(1),
  /** The queue the worker reads, for delaying a failed message's retry and continuing a long import. */
  JOBS_QUEUE_URL: z.url(),
  /** The queue's redrive `maxReceiveCount`: the delivery that reaches it is the last, so its failure fails the job. */
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000),
  /** The cap of the retry backoff (1, 2, 4 … s): the stage config's `jobRetryMaxDelaySeconds`. */
  RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(MAX_RETRY_DELAY_SECONDS),
} satisfies z.ZodRawShape;
