import * as z from 'zod';

/**
 * The public tracking function's environment contract. config.ts reads it at run time; infra/public-api.ts binds
 * exactly these names at synth.
 */
export const publicTrackingEnvironment = {
  /** The single table: tracking pointers and orders (read-only, status and timeline only). */
  TABLE_NAME: z.string().min(1),
} satisfies z.ZodRawShape;
