import * as z from 'zod';

/**
 * The WebSocket connections function's environment contract (`$connect`, `$disconnect`, `subscribe`,
 * `$default`). config.ts reads it at run time; infra/live-updates.ts binds exactly these names at synth.
 */
export const liveConnectionsEnvironment = {
  /** The single table: connections, and orders (a subscription must name an order of the caller's tenant). */
  TABLE_NAME: z.string().min(1),
  /** The role the function assumes for one tenant at a time (tenantId session tag): all its tenant data goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
} satisfies z.ZodRawShape;
