import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { partnerClientsEnvironment } from './environment';

export type PartnerClientsConfig = z.infer<z.ZodObject<typeof partnerClientsEnvironment>>;

/** Reads and validates the partner-clients function's environment; throws naming every bad variable. */
export function readPartnerClientsConfig(env?: NodeJS.ProcessEnv): PartnerClientsConfig {
  return readConfig(partnerClientsEnvironment, env);
}
