import * as z from 'zod';

/**
 * The offboarding function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/tenant-offboarding.ts binds exactly these names at synth.
 */
export const offboardingEnvironment = {
  /** The single table: everything of the tenant, and its offboarding record. */
  TABLE_NAME: z.string().min(1),
  /** The tenant files bucket, where the export is written under the tenant's prefix. */
  FILES_BUCKET_NAME: z.string().min(1),
  /** How many days the bucket keeps tenant files (its lifecycle rule): until then the export can be fetched. */
  FILES_KEPT_DAYS: z.coerce.number().int().min(1),
  /** The user pool the tenant's users and partner clients are deleted from. */
  USER_POOL_ID: z.string().min(1),
  BASIC_USAGE_PLAN_NAME: z.string().min(1),
  PREMIUM_USAGE_PLAN_NAME: z.string().min(1),
} satisfies z.ZodRawShape;
