import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { offboardingEnvironment } from './environment';

export type OffboardingConfig = z.infer<z.ZodObject<typeof offboardingEnvironment>>;

/** Reads and validates the offboarding function's environment; throws naming every bad variable. */
export function readOffboardingConfig(env?: NodeJS.ProcessEnv): OffboardingConfig {
  return readConfig(offboardingEnvironment, env);
}
