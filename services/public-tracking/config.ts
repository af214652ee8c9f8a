import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { publicTrackingEnvironment } from './environment';

export type PublicTrackingConfig = z.infer<z.ZodObject<typeof publicTrackingEnvironment>>;

/** Reads and validates the public tracking function's environment; throws naming every bad variable. */
export function readPublicTrackingConfig(env?: NodeJS.ProcessEnv): PublicTrackingConfig {
  return readConfig(publicTrackingEnvironment, env);
}
