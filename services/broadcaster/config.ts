import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { broadcasterEnvironment } from './environment';

export type BroadcasterConfig = z.infer<z.ZodObject<typeof broadcasterEnvironment>>;

/** Reads and validates the broadcaster's environment; throws naming every bad variable. */
export function readBroadcasterConfig(env?: NodeJS.ProcessEnv): BroadcasterConfig {
  return readConfig(broadcasterEnvironment, env);
}
