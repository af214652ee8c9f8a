import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { connectAuthorizerEnvironment } from './environment';

export type ConnectAuthorizerConfig = z.infer<z.ZodObject<typeof connectAuthorizerEnvironment>>;

/** Reads and validates the `$connect` authorizer's environment; throws naming every bad variable. */
export function readConnectAuthorizerConfig(env?: NodeJS.ProcessEnv): ConnectAuthorizerConfig {
  return readConfig(connectAuthorizerEnvironment, env);
}
