import * as z from 'zod';

/**
 * The event projector's environment contract. config.ts reads it at run time; infra/event-ingestion.ts binds
 * exactly these names at synth.
 */
export const eventProjectorEnvironment = {
  /** The single table: ingested events (read from its stream) and the orders they apply to. */
  TABLE_NAME: z.string().min(1),
} satisfies z.ZodRawShape;
