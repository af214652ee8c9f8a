import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { catalogEnvironment } from './environment';

export type CatalogConfig = z.infer<z.ZodObject<typeof catalogEnvironment>>;

/** Reads and validates the catalog function's environment; throws naming every bad variable. */
export function readCatalogConfig(env?: NodeJS.ProcessEnv): CatalogConfig {
  return readConfig(catalogEnvironment, env);
}
