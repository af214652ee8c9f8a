import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { meEnvironment } from './environment';

export type MeConfig = z.infer<z.ZodObject<typeof meEnvironment>>;

/** Reads and validates the `/me` function's environment; throws naming every bad variable. */
export function readMeConfig(env?: NodeJS.ProcessEnv): MeConfig {
  return readConfig(meEnvironment, env);
}
