import { parseProxyResult, proxyStatusCode } from '../rest-api/proxy-event';

/** A response the HTTP API emulator sends: lowercased header names, each with its values. */
export interface HttpApiResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

/**
 * The JSON error bodies HTTP APIs answer with themselves (no gateway responses to customize). Bodies marked
 * UNCONFIRMED follow the same `{"message": …}` form; AWS's docs do not show them.
 */
export const GATEWAY_ERRORS = {
  notFound: { statusCode: 404, message: 'Not Found' },
  unauthorized: { statusCode: 401, message: 'Unauthorized' },
  /** Insufficient JWT scope, a denying Lambda authorizer, a refused SigV4 request. */
  forbidden: { statusCode: 403, message: 'Forbidden' },
  /** UNCONFIRMED body (HTTP API payload limit, 10 MB). */
  payloadTooLarge: { statusCode: 413, message: 'Request Entity Too Large' },
  tooManyRequests: { statusCode: 429, message: 'Too Many Requests' },
  internalError: { statusCode: 500, message: 'Internal Server Error' },
  /** UNCONFIRMED body (integration took longer than its timeout, at most 30 s). */
  serviceUnavailable: { statusCode: 503, message: 'Service Unavailable' },
} as const;

/** A `{"message": …}` JSON response. */
export function jsonError(
  error: { readonly statusCode: number; readonly message: string },
  headers: Record<string, string[]> = {},
): HttpApiResponse {
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': ['application/json'], ...headers },
    body: Buffer.from(JSON.stringify({ message: error.message })),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function addHeader(headers: Record<string, string[]>, name: string, value: string): void {
  const lower = name.toLowerCase();
  headers[lower] = [...(headers[lower] ?? []), value];
}

/**
 * Maps a function's result to the response as HTTP APIs do for payload format 2.0; undefined means malformed
 * (the caller answers 500). A result that is not an object with `statusCode` is the body itself: 200,
 * `application/json`, the result serialized as JSON (a string result therefore keeps its quotes, as the Lambda
 * output does). Otherwise `statusCode`, `headers` (scalars), `cookies` (each a `set-cookie`), `body` (a string)
 * and `isBase64Encoded` are honoured; without a content-type header, `application/json` is assumed (UNCONFIRMED).
 *
 * AWS-BEHAVIOUR: "When the payload format version 2.0 is used, if the Lambda function doesn't explicitly pass the
 * status code in a valid JSON response, API Gateway assumes: isBase64Encoded false, statusCode 200, content-type
 * application/json, body = the response" (AWS Knowledge Center, repost.aws/knowledge-center/
 * api-gateway-status-codes-http-api; also docs.aws.amazon.com/apigateway/latest/developerguide/
 * http-api-develop-integrations-lambda.html, "Lambda function response format").
 */
export function mapV2Result(result: unknown): HttpApiResponse | undefined {
  if (!isRecord(result) || !('statusCode' in result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': ['application/json'] },
      body: Buffer.from(JSON.stringify(result ?? null)),
    };
  }
  const statusCode = proxyStatusCode(result.statusCode);
  if (statusCode === undefined) return undefined;
  const headers: Record<string, string[]> = {};
  if (result.headers !== undefined && result.headers !== null) {
    if (!isRecord(result.headers)) return undefined;
    for (const [name, value] of Object.entries(result.headers)) {
      if (value === null || value === undefined) continue;
      if (!isScalar(value)) return undefined;
      addHeader(headers, name, String(value));
    }
  }
  if (result.cookies !== undefined && result.cookies !== null) {
    if (!Array.isArray(result.cookies) || !result.cookies.every((c) => typeof c === 'string'))
      return undefined;
    for (const cookie of result.cookies) addHeader(headers, 'set-cookie', cookie);
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return undefined;
  if (headers['content-type'] === undefined) headers['content-type'] = ['application/json'];
  const text = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, body };
}

/**
 * Maps a payload 1.0 result (the REST proxy format, but `statusCode` required: see `ProxyResultOptions`);
 * undefined means malformed.
 */
export function mapV1Result(result: unknown): HttpApiResponse | undefined {
  const mapped = parseProxyResult(result);
  if (mapped === undefined) return undefined;
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(mapped.headers)) {
    for (const value of values) addHeader(headers, name, value);
  }
  if (headers['content-type'] === undefined) headers['content-type'] = ['application/json'];
  return { statusCode: mapped.statusCode, headers, body: mapped.body };
}
