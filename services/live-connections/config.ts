import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { liveConnectionsEnvironment } from './environment';

export type LiveConnectionsConfig = z.infer<z.ZodObject<typeof liveConnectionsEnvironment>>;

/** Reads and validates the connections function's environment; throws naming every bad variable. */
export function readLiveConnectionsConfig(env?: NodeJS.ProcessEnv): LiveConnectionsConfig {
  return readConfig(liveConnectionsEnvironment, env);
}
