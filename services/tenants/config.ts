import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { tenantsEnvironment } from './environment';

export type TenantsConfig = z.infer<z.ZodObject<typeof tenantsEnvironment>>;

/** Reads and validates the onboarding function's environment; throws naming every bad variable. */
export function readTenantsConfig(env?: NodeJS.ProcessEnv): TenantsConfig {
  return readConfig(tenantsEnvironment, env);
}
