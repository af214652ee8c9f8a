import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './s3-errors';

/** The secret of an access key id, or `undefined` when the local cloud does not know the key. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

/** S3's longest pre-signed URL lifetime: seven days. */
const MAX_EXPIRES_SECONDS = 604_800;
/** How far in the future a request's date may lie (S3 allows 15 minutes of clock skew). */
const MAX_SKEW_MS = 15 * 60 * 1000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

/** The SigV4 signing key of `secret` for one day, region and service (AWS's HMAC chain). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/** Hex HMAC-SHA256 of `text` with `key`. */
export function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** Compares two hex signatures in constant time. */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `20260101T000000Z` → epoch milliseconds, or NaN. */
export function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** `2026-01-01T00:00:00Z`: S3's form of a time in error details. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3986 encoding, as SigV4 canonicalizes query parameters (everything but unreserved characters). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The query string's parameters, decoded, in order (a name may repeat). */
export function queryParameters(rawQuery: string): Array<[string, string]> {
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
    });
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

/** A request as the verifier needs it: the path and query exactly as sent, headers as Node parsed them. */
export interface SignedRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded (S3 signs it without normalizing). */
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
}

/** True when the request authenticates with SigV4 query parameters (a pre-signed URL). */
export function isPresigned(rawQuery: string): boolean {
  return queryParameters(rawQuery).some(([name]) => name === 'X-Amz-Signature' || name === 'X-Amz-Algorithm');
}

/**
 * Verifies a SigV4 pre-signed URL as S3 does: the parameters are there and well formed, the access key is known,
 * the URL has not expired (`X-Amz-Date` + `X-Amz-Expires`, at most 7 days), and the signature over the canonical
 * request (method, path, query without the signature, the signed headers, `UNSIGNED-PAYLOAD`) matches.
 * Resolves to the access key id; throws the {@link S3Error} S3 answers with otherwise.
 */
export function verifyPresignedUrl(request: SignedRequest, secretOf: SecretLookup, now = Date.now()): string {
  const params = queryParameters(request.rawQuery);
  const param = (name: string) => params.find(([n]) => n === name)?.[1];
  const algorithm = param('X-Amz-Algorithm');
  const credential = param('X-Amz-Credential');
  const amzDate = param('X-Amz-Date');
  const expires = param('X-Amz-Expires');
  const signedHeaders = param('X-Amz-SignedHeaders');
  const signature = param('X-Amz-Signature');
  if (algorithm !== undefined && algorithm !== 'AWS4-HMAC-SHA256') {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  if (!algorithm || !credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const [accessKeyId = '', day = '', region = '', service = '', terminator] = credential.split('/');
  if (service !== 's3' || terminator !== 'aws4_request' || !/^\d{8}$/.test(day)) {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request". (${credential})`,
    );
  }
  const seconds = Number(expires);
  if (!/^\d+$/.test(expires) || seconds > MAX_EXPIRES_SECONDS) {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  const signedAt = amzDateMs(amzDate);
  if (Number.isNaN(signedAt) || !amzDate.startsWith(day)) {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'" and match the credential's date (${amzDate})`,
    );
  }
  const secret = secretOf(accessKeyId);
  if (secret === undefined) {
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: accessKeyId,
      },
    );
  }
  if (signedAt - now > MAX_SKEW_MS) throw new S3Error(403, 'AccessDenied', 'Request is not valid yet');
  if (now > signedAt + seconds * 1000) {
    throw new S3Error(403, 'AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expires,
      Expires: isoSeconds(signedAt + seconds * 1000),
      ServerTime: isoSeconds(now),
    });
  }

  const headerNames = signedHeaders.split(';');
  const canonicalQuery = params
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalRequest = [
    request.method.toUpperCase(),
    request.rawPath || '/',
    canonicalQuery,
    ...headerNames.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}`),
    '',
    signedHeaders,
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const expected = hmacHex(signingKey(secret, day, region, service), stringToSign);
  if (!sameSignature(expected, signature)) {
    throw new S3Error(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH, {
      AWSAccessKeyId: accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: signature,
      CanonicalRequest: canonicalRequest,
    });
  }
  return accessKeyId;
}

/** S3's answer to a POST policy whose signature does not match. */
export function signatureMismatch(accessKeyId: string, signature: string): S3Error {
  return new S3Error(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH, {
    AWSAccessKeyId: accessKeyId,
    SignatureProvided: signature,
  });
}
