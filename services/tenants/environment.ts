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
} satisfies z.ZodRawShape;
