import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { jobsEnvironment } from './environment';

export type JobsConfig = z.infer<z.ZodObject<typeof jobsEnvironment>>;

/** Reads and validates the jobs API function's environment; throws naming every bad variable. */
export function readJobsConfig(env?: NodeJS.ProcessEnv): JobsConfig {
  return readConfig(jobsEnvironment, env);
}
