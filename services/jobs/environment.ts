import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The jobs API function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/jobs.ts binds exactly these names at synth.
 */
export const jobsEnvironment = {
  /** The single table: job items and import input. */
  TABLE_NAME: z.string().min(1),
  /** The role the function assumes for one tenant at a time (tenantId session tag): all its tenant data goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
  /** Powertools idempotency records (partition key `id`), for `Idempotency-Key`. */
  IDEMPOTENCY_TABLE_NAME: z.string().min(1),
  /** The queue the worker reads; this function may only SendMessage to it. */
  JOBS_QUEUE_URL: z.url(),
  /** Tenant files: uploads are signed for `tenants/<tenantId>/uploads/`, downloads for `…/reports/`. */
  FILES_BUCKET_NAME: z.string().min(1),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
} satisfies z.ZodRawShape;
