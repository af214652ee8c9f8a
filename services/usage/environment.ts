import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The usage function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/usage-api.ts binds exactly these names at synth.
 */
export const usageEnvironment = {
  /** The single table: the tenant's profile names its API key. */
  TABLE_NAME: z.string().min(1),
  /** The role the function assumes for one tenant at a time (tenantId session tag): all its tenant data goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
} satisfies z.ZodRawShape;
