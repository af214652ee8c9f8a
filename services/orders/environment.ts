import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The orders function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/orders-api.ts binds exactly these names at synth.
 */
export const ordersEnvironment = {
  /** The single table: orders, and the tenant's catalog for pricing. */
  TABLE_NAME: z.string().min(1),
  /** Powertools idempotency records (partition key `id`). */
  IDEMPOTENCY_TABLE_NAME: z.string().min(1),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
} satisfies z.ZodRawShape;
