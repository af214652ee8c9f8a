import * as z from 'zod';
import { authorizerEnvironment } from '../authorizer/environment';

/**
 * The WebSocket `$connect` authorizer's environment contract: the REST authorizer's (it verifies tokens with the
 * same module) plus the user pool, whose users it looks up. config.ts reads it; infra/live-updates.ts binds it.
 */
export const connectAuthorizerEnvironment = {
  ...authorizerEnvironment,
  /** The user pool whose users may connect; a deleted or disabled user is refused. */
  USER_POOL_ID: z.string().min(1),
} satisfies z.ZodRawShape;
