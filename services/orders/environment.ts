import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The orders function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/orders-api.ts binds exactly these names at synth.
 */
export const ordersEnvironment = {
  /** The single table: orders, and the tenant's catalog for pricing. */
  TABLE_NAME: z.string().min(1),
  /** The role the function assumes for one tenant at a time (tenantId session tag): all its tenant data goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
  /** Powertools idempotency records (partition key `id`). */
  IDEMPOTENCY_TABLE_NAME: z.string().min(1),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
} satisfies z.ZodRawShape;
