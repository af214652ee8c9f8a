import { logger } from '../../shared/logger';

/**
 * Denies the request. API Gateway turns a Lambda error whose message is exactly `Unauthorized` into a 401,
 * so that message is the whole contract; the reason goes to the logs only (never the token itself).
 */
export function reject(reason: string, details: Record<string, string> = {}): never {
  logger.warn('request rejected by the authorizer', { reason, ...details });
  throw new Error('Unauthorized');
}

/** Whether `error` is a denial thrown by `reject` (a 401), as opposed to a fault (a 500). */
export function isRejection(error: unknown): boolean {
  return error instanceof Error && error.message === 'Unauthorized';
}
