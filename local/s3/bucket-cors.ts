import { S3Error } from './s3-errors';

/** One rule of a bucket's `CorsConfiguration` (CloudFormation's shape). */
export interface CorsRule {
  readonly allowedMethods: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAge?: number;
}

/** A pattern with at most one `*` wildcard, compared case-insensitively for headers and as is for origins. */
function matches(pattern: string, value: string, caseInsensitive = false): boolean {
  const [p, v] = caseInsensitive ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/** The first rule that allows `origin` to send `method` with `headers`, as S3 evaluates them. */
function ruleFor(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  headers: readonly string[],
): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((allowed) => matches(allowed, origin)) &&
      rule.allowedMethods.includes(method) &&
      headers.every((header) => rule.allowedHeaders.some((allowed) => matches(allowed, header, true))),
  );
}

function allowOrigin(rule: CorsRule, origin: string): Record<string, string> {
  // A rule that allows every origin answers `*`, and then cannot allow credentials.
  return rule.allowedOrigins.includes('*')
    ? { 'access-control-allow-origin': '*' }
    : { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' };
}

const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/**
 * S3's answer to a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`): the headers of the
 * first matching rule, or 403 `AccessForbidden` when the bucket has no CORS configuration or no rule allows it.
 */
export function preflight(
  rules: readonly CorsRule[] | undefined,
  request: { readonly origin?: string; readonly method?: string; readonly headers?: string },
): Record<string, string> {
  if (!request.origin || !request.method) {
    throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
  }
  if (!rules || rules.length === 0) {
    throw new S3Error(403, 'AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', {
      Method: request.method,
      ResourceType: 'OBJECT',
    });
  }
  const headers = (request.headers ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const rule = ruleFor(rules, request.origin, request.method, headers);
  if (!rule) {
    throw new S3Error(403, 'AccessForbidden', NOT_ALLOWED, {
      Method: request.method,
      ResourceType: 'OBJECT',
    });
  }
  return {
    ...allowOrigin(rule, request.origin),
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(headers.length > 0 ? { 'access-control-allow-headers': headers.join(', ') } : {}),
    ...(rule.exposedHeaders.length > 0
      ? { 'access-control-expose-headers': rule.exposedHeaders.join(', ') }
      : {}),
    ...(rule.maxAge === undefined ? {} : { 'access-control-max-age': String(rule.maxAge) }),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/**
 * The CORS headers S3 adds to an actual request from `origin` (none when no rule allows it: S3 still serves the
 * request, and the browser withholds the response).
 */
export function corsResponseHeaders(
  rules: readonly CorsRule[] | undefined,
  origin: string | undefined,
  method: string,
): Record<string, string> {
  if (!origin || !rules) return {};
  const rule = ruleFor(rules, origin, method, []);
  if (!rule) return {};
  return {
    ...allowOrigin(rule, origin),
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(rule.exposedHeaders.length > 0
      ? { 'access-control-expose-headers': rule.exposedHeaders.join(', ') }
      : {}),
    ...(rule.maxAge === undefined ? {} : { 'access-control-max-age': String(rule.maxAge) }),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}
