import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { usersEnvironment } from './environment';

export type UsersConfig = z.infer<z.ZodObject<typeof usersEnvironment>>;

/** Reads and validates the users function's environment; throws naming every bad variable. */
export function readUsersConfig(env?: NodeJS.ProcessEnv): UsersConfig {
  return readConfig(usersEnvironment, env);
}
