import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { corsHeaders } from './cors';
import { AppError, NotFoundError, ValidationError } from './errors';
import { logger } from './logger';
import { parseWith } from './validation';

/** What a route returns; `httpHandler` turns it into an API Gateway proxy result. */
export interface HttpResult {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /**
   * Bytes to answer instead of a JSON body (a PDF): sent base64 with isBase64Encoded, which the REST API turns
   * back into bytes for a binary media type the client accepts.
   */
  readonly binary?: { readonly contentType: string; readonly bytes: Uint8Array };
}

/** Whether the request's Accept header names `mediaType` (exactly or as `type/*`; `*\/*` alone does not count). */
export function accepts(event: APIGatewayProxyEvent, mediaType: string): boolean {
  const accept = requestHeader(event, 'accept');
  if (accept === undefined) return false;
  const [type] = mediaType.split('/');
  return accept
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .some((range) => range === mediaType || range === `${type}/*`);
}

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** What the HTTP adapter needs from the function's config (read once, in the handler module). */
export interface HttpOptions {
  /** Origins whose requests get CORS headers (ALLOWED_ORIGINS). */
  readonly allowedOrigins: readonly string[];
}

/**
 * Where a member just created in the called collection lives (a `Location` or `statusUrl`), under the same stage
 * or base path the client called: `POST /dev/orders` → `/dev/orders/<id>`.
 */
export function memberLocation(event: APIGatewayProxyEvent, id: string): string {
  const collection = event.requestContext?.path ?? event.path;
  return `${collection.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
}

/** Case-insensitive request header lookup (API Gateway keeps the client's casing). */
export function requestHeader(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * The error body every failure shares with the gateway responses: `{code, message, requestId, ...details}`.
 * `code`, `message` and `requestId` are the contract, so a detail of the same name never replaces them; an
 * error's `cause` is never part of the body.
 */
export function errorBody(
  error: unknown,
  requestId: string,
): { statusCode: number; body: Record<string, unknown> } {
  if (error instanceof AppError) {
    return {
      statusCode: error.status,
      body: { ...error.details, code: error.code, message: error.message, requestId },
    };
  }
  return { statusCode: 500, body: { code: 'InternalError', message: 'internal error', requestId } };
}

/** Something thrown that is not an Error (a string, a plain object) is logged as one, not lost. */
function asError(thrown: unknown): Error {
  return thrown instanceof Error
    ? thrown
    : new Error(`non-Error thrown: ${String(thrown)}`, { cause: thrown });
}

/**
 * Wraps a route: request-scoped logging, CORS headers for allowed origins, JSON serialization, and the
 * single mapping from the error taxonomy to HTTP. Unknown errors are logged and answered with a 500 that
 * carries only the request id.
 */
export function httpHandler(
  route: (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResult>,
  options: HttpOptions,
): ProxyHandler {
  return async (event, context) => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    // Keys are reset per invocation by shared/instrumented-handler.ts, which also adds the caller's.
    logger.appendKeys({ requestId, resource: event.resource, method: event.httpMethod });
    const baseHeaders = {
      'Content-Type': 'application/json',
      'X-Request-Id': requestId,
      ...corsHeaders(requestHeader(event, 'origin'), options.allowedOrigins),
    };
    let result: HttpResult;
    try {
      result = await route(event, context);
    } catch (error) {
      const { statusCode, body } = errorBody(error, requestId);
      // The logger formats an Error with its own properties and its whole `cause` chain.
      if (statusCode >= 500) logger.error('unhandled error', asError(error));
      else logger.info('request rejected', { statusCode, code: body.code });
      result = { statusCode, body };
    }
    if (result.binary) {
      return {
        statusCode: result.statusCode,
        headers: { ...baseHeaders, ...result.headers, 'Content-Type': result.binary.contentType },
        body: Buffer.from(result.binary.bytes).toString('base64'),
        isBase64Encoded: true,
      };
    }
    return {
      statusCode: result.statusCode,
      headers: { ...baseHeaders, ...result.headers },
      body: result.body === undefined ? '' : JSON.stringify(result.body),
    };
  };
}

/** Decodes and validates a JSON body; a missing, non-JSON or invalid body is a 400 that says which. */
export function parseJsonBody<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new ValidationError('request body is required');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError('request body must be valid JSON');
  }
  return parseWith(schema, json, 'request body');
}

/** A required path parameter (API Gateway hands it over already decoded). */
export function pathParameter(event: APIGatewayProxyEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new ValidationError(`path parameter '${name}' is required`);
  return value;
}

/** Query-string parameters validated as one object (unknown parameters rejected by the schema). */
export function parseQuery<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  return parseWith(schema, event.queryStringParameters ?? {}, 'query string');
}

/** A route table keyed by `"<METHOD> <resource>"` as API Gateway names them, e.g. `"GET /orders/{orderId}"`. */
export type Routes = Record<string, (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResult>>;

/** One handler for a service's routes; a request for a route not in the table is a 404. */
export function httpRouter(routes: Routes, options: HttpOptions): ProxyHandler {
  return httpHandler(async (event, context) => {
    const route = routes[`${event.httpMethod} ${event.resource}`];
    if (!route) throw new NotFoundError(`no route for ${event.httpMethod} ${event.resource}`);
    return route(event, context);
  }, options);
}
