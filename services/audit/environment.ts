import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The audit function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/audit-api.ts binds exactly these names at synth.
 */
export const auditEnvironment = {
  /** The single table: the tenants' audit trails. */
  TABLE_NAME: z.string().min(1),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
} satisfies z.ZodRawShape;
