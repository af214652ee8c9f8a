import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { publicCatalogEnvironment } from './environment';

export type PublicCatalogConfig = z.infer<z.ZodObject<typeof publicCatalogEnvironment>>;

/** Reads and validates the public catalog function's environment; throws naming every bad variable. */
export function readPublicCatalogConfig(env?: NodeJS.ProcessEnv): PublicCatalogConfig {
  return readConfig(publicCatalogEnvironment, env);
}
