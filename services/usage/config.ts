import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { usageEnvironment } from './environment';

export type UsageConfig = z.infer<z.ZodObject<typeof usageEnvironment>>;

/** Reads and validates the usage function's environment; throws naming every bad variable. */
export function readUsageConfig(env?: NodeJS.ProcessEnv): UsageConfig {
  return readConfig(usageEnvironment, env);
}
