import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { eventProjectorEnvironment } from './environment';

export type EventProjectorConfig = z.infer<z.ZodObject<typeof eventProjectorEnvironment>>;

/** Reads and validates the projector's environment; throws naming every bad variable. */
export function readEventProjectorConfig(env?: NodeJS.ProcessEnv): EventProjectorConfig {
  return readConfig(eventProjectorEnvironment, env);
}
