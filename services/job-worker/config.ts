import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { jobWorkerEnvironment } from './environment';

export type JobWorkerConfig = z.infer<z.ZodObject<typeof jobWorkerEnvironment>>;

/** Reads and validates the job worker's environment; throws naming every bad variable. */
export function readJobWorkerConfig(env?: NodeJS.ProcessEnv): JobWorkerConfig {
  return readConfig(jobWorkerEnvironment, env);
}
