import * as z from 'zod';

/**
 * The broadcaster's environment contract. config.ts reads it at run time; infra/live-updates.ts binds exactly
 * these names at synth.
 */
export const broadcasterEnvironment = {
  /** The single table: the tenants' connections (Query, and Delete of those API Gateway says are gone). */
  TABLE_NAME: z.string().min(1),
  /** The WebSocket stage's `@connections` endpoint, `https://{api}.execute-api.{region}.amazonaws.com/{stage}`. */
  CALLBACK_URL: z.url(),
} satisfies z.ZodRawShape;
