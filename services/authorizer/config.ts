import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { authorizerEnvironment } from './environment';

export type AuthorizerConfig = z.infer<z.ZodObject<typeof authorizerEnvironment>>;

/** Reads and validates the authorizer's environment; throws naming every bad variable. */
export function readAuthorizerConfig(env?: NodeJS.ProcessEnv): AuthorizerConfig {
  return readConfig(authorizerEnvironment, env);
}
