import * as z from 'zod';

/**
 * The `/me` function's environment contract. config.ts reads it at run time; infra/public-api.ts binds exactly
 * these names at synth. The token is verified by the HTTP API's JWT authorizer before the function runs.
 */
export const meEnvironment = {
  /** The single table: tenant profiles (read-only, the summary attributes only). */
  TABLE_NAME: z.string().min(1),
} satisfies z.ZodRawShape;
