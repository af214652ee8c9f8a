import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The onboarding function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/tenant-onboarding.ts binds exactly these names at synth.
 */
export const tenantsEnvironment = {
  /** The single table: tenant name claims and profiles. */
  TABLE_NAME: z.string().min(1),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
  /** The user pool the tenant's admin user is created in. */
  USER_POOL_ID: z.string().min(1),
  // Plans are named, not identified: the stack cannot pass their ids to this function without a dependency
  // cycle (plan → stage → POST /tenants → this function).
  /** The usage plan of the basic tier, by name. */
  BASIC_USAGE_PLAN_NAME: z.string().min(1),
  /** The usage plan of the premium tier, by name. */
  PREMIUM_USAGE_PLAN_NAME: z.string().min(1),
  /** The tenant REST API and its stage: their Lambda authorizer's cache is flushed when a tenant's status changes. */
  REST_API_ID: z.string().min(1),
  STAGE_NAME: z.string().min(1),
  /** `on` when the stage caches responses (catalog GETs): flushed too. */
  STAGE_CACHE: z.enum(['on', 'off']),
  /** The live-updates WebSocket API's `@connections` endpoint: a suspended tenant's connections are closed. */
  CALLBACK_URL: z.url(),
  /** The offboarding job's queue: `DELETE /tenants/{id}` sends the tenant there. */
  OFFBOARDING_QUEUE_URL: z.url(),
  /** The tenant files bucket: an offboarded tenant's export is there, linked (pre-signed) from its tombstone. */
  FILES_BUCKET_NAME: z.string().min(1),
} satisfies z.ZodRawShape;
