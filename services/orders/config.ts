import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ordersEnvironment } from './environment';

export type OrdersConfig = z.infer<z.ZodObject<typeof ordersEnvironment>>;

/** Reads and validates the orders function's environment; throws naming every bad variable. */
export function readOrdersConfig(env?: NodeJS.ProcessEnv): OrdersConfig {
  return readConfig(ordersEnvironment, env);
}
