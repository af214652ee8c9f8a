import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod';
import { NotFoundError, ValidationError } from './errors';
import { errorBody, type HttpResult } from './http';
import { logger } from './logger';
import { parseWith } from './validation';

/** A payload 2.0 event of an HTTP API route, with or without the native JWT authorizer. */
export type HttpApiEvent = APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer;

export type HttpApiHandler<E extends HttpApiEvent = HttpApiEvent> = (
  event: E,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A route table keyed by the HTTP API's route key, e.g. `"GET /public/track/{trackingId}"`. */
export type HttpApiRoutes<E extends HttpApiEvent> = Record<
  string,
  (event: E, context: Context) => Promise<HttpResult>
>;

/** More query parameters than any route of ours takes: refused before validation, so the 400 stays short. */
const MAX_QUERY_PARAMETERS = 20;

/** Error responses are never cached: the same URL may well answer 200 a moment later. */
const NO_STORE = 'no-store';

/**
 * One handler for a service's HTTP API (payload 2.0) routes: the route is the event's `routeKey`, errors map
 * through the same taxonomy and body as the REST API (`errorBody`), and an unknown route is a 404. CORS is not
 * here: HTTP APIs answer preflights and add the CORS headers at the gateway, from the API's configuration.
 */
export function httpApiRouter<E extends HttpApiEvent>(routes: HttpApiRoutes<E>): HttpApiHandler<E> {
  return async (event, context) => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    // Keys are reset per invocation by shared/instrumented-handler.ts, which also adds the caller's.
    logger.appendKeys({ requestId, routeKey: event.routeKey });
    let result: HttpResult;
    try {
      const route = routes[event.routeKey];
      if (!route) throw new NotFoundError(`no route for ${event.routeKey}`);
      result = await route(event, context);
    } catch (error) {
      const { statusCode, body } = errorBody(error, requestId);
      if (statusCode >= 500) logger.error('unhandled error', error instanceof Error ? error : String(error));
      else logger.info('request rejected', { statusCode, code: body.code });
      result = { statusCode, body, headers: { 'Cache-Control': NO_STORE } };
    }
    return {
      statusCode: result.statusCode,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': requestId, ...result.headers },
      body: result.body === undefined ? '' : JSON.stringify(result.body),
    };
  };
}

/**
 * Query-string parameters validated as one object. Payload 2.0 joins repeated values with commas, so a
 * repeated parameter arrives as one value and fails the schema's pattern rather than being half-read.
 */
export function parseHttpApiQuery<S extends z.ZodType>(event: HttpApiEvent, schema: S): z.infer<S> {
  const query = event.queryStringParameters ?? {};
  const count = Object.keys(query).length;
  if (count > MAX_QUERY_PARAMETERS) {
    throw new ValidationError(`too many query parameters (${count}): at most ${MAX_QUERY_PARAMETERS}`);
  }
  return parseWith(schema, query, 'query string');
}

/** A path parameter as the gateway decoded it, or undefined. */
export function httpApiPathParameter(event: HttpApiEvent, name: string): string | undefined {
  return event.pathParameters?.[name];
}
