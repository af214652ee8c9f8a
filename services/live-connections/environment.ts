import * as z from 'zod';

/**
 * The WebSocket connections function's environment contract (`$connect`, `$disconnect`, `subscribe`,
 * `$default`). config.ts reads it at run time; infra/live-updates.ts binds exactly these names at synth.
 */
export const liveConnectionsEnvironment = {
  /** The single table: connections, and orders (a subscription must name an order of the caller's tenant). */
  TABLE_NAME: z.string().min(1),
} satisfies z.ZodRawShape;
