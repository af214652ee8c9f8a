import type { CorsDefinition } from './http-api-definition';
import type { HttpApiResponse } from './http-api-response';

/*
 * CORS configured on an HTTP API (AWS docs "Configuring CORS for an HTTP API"): the gateway answers
 * preflight requests itself, whatever the routes, and sets the CORS headers on every response to an allowed
 * origin, ignoring the ones the integration returns.
 */

type Headers = Readonly<Record<string, readonly string[]>>;

/** A preflight: OPTIONS with `Origin` and `Access-Control-Request-Method`. */
export function isPreflight(method: string, headers: Headers): boolean {
  return (
    method.toUpperCase() === 'OPTIONS' &&
    headers.origin !== undefined &&
    headers['access-control-request-method'] !== undefined
  );
}

function allowedOrigin(cors: CorsDefinition, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.allowOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return cors.allowOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase())
    ? origin
    : undefined;
}

const join = (values: readonly string[]) => values.join(',');

/**
 * The gateway's own answer to a preflight: 204, with the configured allow-* headers when the origin is
 * allowed, and none when it is not (the browser then refuses; UNCONFIRMED whether AWS also varies the status).
 */
export function preflightResponse(cors: CorsDefinition, headers: Headers): HttpApiResponse {
  const origin = allowedOrigin(cors, headers.origin?.at(-1));
  const response: Record<string, string[]> = {};
  if (origin !== undefined) {
    response['access-control-allow-origin'] = [origin];
    if (cors.allowMethods.length > 0) response['access-control-allow-methods'] = [join(cors.allowMethods)];
    if (cors.allowHeaders.length > 0) response['access-control-allow-headers'] = [join(cors.allowHeaders)];
    if (cors.maxAge !== undefined) response['access-control-max-age'] = [String(cors.maxAge)];
    if (cors.allowCredentials) response['access-control-allow-credentials'] = ['true'];
    if (cors.exposeHeaders.length > 0) response['access-control-expose-headers'] = [join(cors.exposeHeaders)];
  }
  return { statusCode: 204, headers: response, body: Buffer.alloc(0) };
}

/** The response with the backend's CORS headers dropped and the gateway's set for an allowed origin. */
export function withCorsHeaders(
  cors: CorsDefinition,
  requestHeaders: Headers,
  response: HttpApiResponse,
): HttpApiResponse {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(response.headers)) {
    if (!name.startsWith('access-control-')) headers[name] = values;
  }
  const origin = allowedOrigin(cors, requestHeaders.origin?.at(-1));
  if (origin !== undefined) {
    headers['access-control-allow-origin'] = [origin];
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = ['true'];
    if (cors.exposeHeaders.length > 0) headers['access-control-expose-headers'] = [join(cors.exposeHeaders)];
  }
  return { ...response, headers };
}
