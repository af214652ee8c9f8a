import type { Context } from 'aws-lambda';
import { errorBody } from '../../shared/http';
import { logger } from '../../shared/logger';
import type { WebSocketEvent } from './connection-events';

/** What a WebSocket integration returns: for `$connect` a non-2xx status refuses the upgrade; for a two-way
 * route API Gateway sends `body` back to the client. */
export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}

/** A route: returns the reply to send back (two-way routes), or undefined for none. */
export type WebSocketRoute = (event: WebSocketEvent) => Promise<unknown>;

function routeKeyOf(event: WebSocketEvent): string | undefined {
  const context = event.requestContext;
  if (typeof context !== 'object' || context === null) return undefined;
  const { routeKey } = context as { routeKey?: unknown };
  return typeof routeKey === 'string' ? routeKey : undefined;
}

function requestIdOf(event: WebSocketEvent, context: Context): string {
  const requestId = (event.requestContext as { requestId?: unknown } | null)?.requestId;
  return typeof requestId === 'string' ? requestId : context.awsRequestId;
}

/**
 * One handler for a WebSocket API's routes, keyed by route key (`$connect`, `subscribe`, …), with the single
 * mapping from the error taxonomy: the status refuses a `$connect`, and a message's client gets
 * `{"type":"error", code, message, requestId}`. Unknown errors are logged and answered with the request id only.
 */
export function webSocketRouter(routes: Readonly<Record<string, WebSocketRoute>>) {
  return async (event: WebSocketEvent, context: Context): Promise<WebSocketResult> => {
    const routeKey = routeKeyOf(event);
    const requestId = requestIdOf(event, context);
    // Keys are reset per invocation by shared/instrumented-handler.ts, which also adds the caller's.
    logger.appendKeys({ requestId, routeKey });
    try {
      const route = routeKey === undefined ? undefined : routes[routeKey];
      if (!route) throw new Error(`no handler for route ${routeKey ?? '(none)'}`);
      const reply = await route(event);
      return reply === undefined ? { statusCode: 200 } : { statusCode: 200, body: JSON.stringify(reply) };
    } catch (error) {
      const { statusCode, body } = errorBody(error, requestId);
      if (statusCode >= 500) logger.error('unhandled error', error instanceof Error ? error : String(error));
      else logger.info('request rejected', { statusCode, code: body.code });
      return { statusCode, body: JSON.stringify({ type: 'error', ...body }) };
    }
  };
}
