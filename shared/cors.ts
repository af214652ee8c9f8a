/**
 * The CORS policy, used both by the infrastructure (preflight MOCK integrations and gateway
 * responses) and by the Lambda responses, so the two cannot disagree.
 */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  // SigV4 signers (the console's operator page among them) send the payload's hash too.
  'X-Amz-Content-Sha256',
];
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/**
 * X-Request-Id is the request id the function answered (kept in a stage-cached response); x-amzn-RequestId is the
 * one API Gateway gives every request. A page reading both can tell a stage-cache hit (they differ) from a miss.
 */
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'x-amzn-RequestId'];
export const CORS_MAX_AGE_SECONDS = 600;

/** Response headers for a request from `origin`; none when the origin is not allowed. */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(','),
    Vary: 'Origin',
  };
}
