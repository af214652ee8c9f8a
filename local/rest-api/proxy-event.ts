import { randomBytes } from 'node:crypto';
import type { IncomingRequest } from '../model';
import type { RestResponse } from './rest-response';

/** The request as the REST emulator received it; `rawHeaders` keeps the client's header casing (Node's format). */
export interface RestIncomingRequest extends IncomingRequest {
  /** Alternating name, value pairs in the client's casing and order (Node's `req.rawHeaders`). */
  readonly rawHeaders?: readonly string[];
}

/** What is known about the request once routing, authorization and API key checks are done. */
export interface ProxyEventInput {
  readonly request: RestIncomingRequest;
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly pathParameters: Record<string, string>;
  readonly stageVariables: Record<string, string>;
  readonly stage: string;
  readonly deploymentId: string;
  readonly apiId: string;
  readonly accountId: string;
  readonly region: string;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  readonly authorizer?: Record<string, unknown>;
  readonly identity: Record<string, string | null>;
  readonly binaryMediaTypes: readonly string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `17/Jun/2024:14:48:13 +0000`, the CLF time of `requestContext.requestTime`. */
export function formatRequestTime(epochMillis: number): string {
  const d = new Date(epochMillis);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** Header names in the client's casing with every value, falling back to the lowercased names. */
export function headerPairs(request: RestIncomingRequest): Array<[string, string]> {
  const raw = request.rawHeaders;
  if (raw && raw.length > 0) {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? '', raw[i + 1] ?? '']);
    return pairs;
  }
  return Object.entries(request.headers).flatMap(([name, values]) =>
    values.map((v): [string, string] => [name, v]),
  );
}

/** Single-value view (last value wins, as API Gateway does) and multi-value view of name/value pairs. */
export function singleAndMulti(pairs: ReadonlyArray<readonly [string, string]>): {
  single: Record<string, string>;
  multi: Record<string, string[]>;
} {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { single, multi };
}

/** True when `contentType` matches one of the API's BinaryMediaTypes (`type/*` and `*\/*` wildcards). */
export function isBinaryMediaType(
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return binaryMediaTypes.some((pattern) => {
    // CloudFormation spells `/` as `~1` in BinaryMediaTypes patches; the property itself uses plain `/`.
    const normalized = pattern.replace(/~1/g, '/').toLowerCase();
    if (normalized === '*/*') return true;
    if (normalized.endsWith('/*')) return type.startsWith(normalized.slice(0, -1));
    return normalized === type;
  });
}

/** The headers API Gateway adds on the way in, in AWS's casing (its captures show them on every request). */
const GATEWAY_HEADERS = [
  'X-Forwarded-For',
  'X-Forwarded-Port',
  'X-Forwarded-Proto',
  'X-Amzn-Trace-Id',
] as const;

/**
 * The request as API Gateway hands it on to authorizers and integrations: with `X-Forwarded-For` (the caller's
 * address appended to what the caller sent), `X-Forwarded-Port`, `X-Forwarded-Proto` and an `X-Amzn-Trace-Id`
 * when the caller sent none — once per request, so the REQUEST authorizer and the proxy event carry the same
 * values. Locally the scheme is http and the port the one the API listens on, as the HTTP API says too.
 */
export function withGatewayHeaders<R extends RestIncomingRequest>(
  request: R,
  localPort: number | undefined,
  nowMs = Date.now(),
): R {
  const forwardedFor = request.headers['x-forwarded-for']?.join(', ');
  const traceId =
    request.headers['x-amzn-trace-id']?.at(-1) ??
    `Root=1-${Math.floor(nowMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const added: Record<(typeof GATEWAY_HEADERS)[number], string> = {
    'X-Forwarded-For': forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp,
    'X-Forwarded-Port': String(localPort ?? ''),
    'X-Forwarded-Proto': 'http',
    'X-Amzn-Trace-Id': traceId,
  };
  const replaced = new Set(GATEWAY_HEADERS.map((name) => name.toLowerCase()));
  const kept = headerPairs(request).filter(([name]) => !replaced.has(name.toLowerCase()));
  const pairs = [...kept, ...Object.entries(added)];
  const headers: Record<string, string[]> = {};
  for (const [name, value] of pairs)
    headers[name.toLowerCase()] = [...(headers[name.toLowerCase()] ?? []), value];
  return { ...request, headers, rawHeaders: pairs.flat() };
}

/** `requestContext.domainPrefix`: the first label of the domain name, the API id when that is an IP address. */
export function domainPrefixOf(domainName: string, apiId: string): string {
  const firstLabel = domainName.split('.')[0] ?? apiId;
  return /^\d+$/.test(firstLabel) ? apiId : firstLabel;
}

/** Builds the Lambda proxy integration event (payload 1.0), shaped like AWS's captures. */
export function buildProxyEvent(input: ProxyEventInput): Record<string, unknown> {
  const { request } = input;
  const headers = singleAndMulti(headerPairs(request));
  const queryPairs = Object.entries(request.query).flatMap(([name, values]) =>
    values.map((v): [string, string] => [name, v]),
  );
  const query = singleAndMulti(queryPairs);
  const hasHeaders = Object.keys(headers.single).length > 0;
  const hasQuery = queryPairs.length > 0;
  const contentType = request.headers['content-type']?.at(-1);
  const binary = isBinaryMediaType(contentType, input.binaryMediaTypes);
  const body =
    request.body.length === 0
      ? null
      : binary
        ? request.body.toString('base64')
        : request.body.toString('utf8');
  const stagePath = `/${input.stage}${request.path === '/' ? '/' : request.path}`;
  const host = request.headers.host?.at(-1);
  const domainName = host ?? `${input.apiId}.execute-api.${input.region}.amazonaws.com`;
  const requestContext: Record<string, unknown> = {
    resourceId: input.resourceId,
    ...(input.authorizer ? { authorizer: input.authorizer } : {}),
    resourcePath: input.resourcePath,
    httpMethod: request.method.toUpperCase(),
    extendedRequestId: input.extendedRequestId,
    requestTime: formatRequestTime(input.requestTimeEpoch),
    path: stagePath,
    accountId: input.accountId,
    protocol: 'HTTP/1.1',
    stage: input.stage,
    domainPrefix: domainPrefixOf(domainName, input.apiId),
    requestTimeEpoch: input.requestTimeEpoch,
    requestId: input.requestId,
    identity: input.identity,
    domainName,
    deploymentId: input.deploymentId,
    apiId: input.apiId,
  };
  return {
    resource: input.resourcePath,
    path: request.path,
    httpMethod: request.method.toUpperCase(),
    headers: hasHeaders ? headers.single : null,
    multiValueHeaders: hasHeaders ? headers.multi : null,
    queryStringParameters: hasQuery ? query.single : null,
    multiValueQueryStringParameters: hasQuery ? query.multi : null,
    pathParameters: Object.keys(input.pathParameters).length > 0 ? input.pathParameters : null,
    stageVariables: Object.keys(input.stageVariables).length > 0 ? input.stageVariables : null,
    requestContext,
    body,
    isBase64Encoded: binary && body !== null,
  };
}

/** `requestContext.identity` as AWS sends it with no IAM/Cognito identity; extra fields are merged on top. */
export function baseIdentity(sourceIp: string, userAgent: string | undefined): Record<string, string | null> {
  return {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: userAgent ?? null,
    user: null,
  };
}

const ALLOWED_RESULT_KEYS = new Set([
  'statusCode',
  'headers',
  'multiValueHeaders',
  'body',
  'isBase64Encoded',
]);

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A proxy result's `statusCode` (a number or a numeric string) when it is a valid HTTP status, else undefined. */
export function proxyStatusCode(value: unknown): number | undefined {
  const statusCode = typeof value === 'string' ? Number(value) : value;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  return statusCode;
}

/** How strict a gateway is about a proxy result's `statusCode`. */
export interface ProxyResultOptions {
  /**
   * The status a result without `statusCode` gets; undefined makes `statusCode` required.
   *
   * AWS-BEHAVIOUR: a REST API (`AWS_PROXY`) treats every field of the proxy output as optional and answers 200
   * when `statusCode` is left out; only unknown fields or wrongly typed ones are a "Malformed Lambda proxy
   * response" (Obs.: LocalStack's AWS-validated REST implementation, `RestApiAwsProxyIntegration` —
   * `int(lambda_response.get("statusCode") or 200)`, "none of the lambda response fields are mandatory").
   * An HTTP API with payload 1.0 makes no such assumption and answers 500 (AWS Knowledge Center,
   * repost.aws/knowledge-center/api-gateway-status-codes-http-api: "When the payload format version 1.0 is used,
   * the Lambda integration must return a response in the following format. API Gateway doesn't make assumptions").
   */
  readonly defaultStatusCode?: number;
}

/**
 * Maps a Lambda proxy result to the HTTP response, or returns `undefined` when API Gateway would call it a
 * "Malformed Lambda proxy response" (502): not an object, unknown keys, a non-integer statusCode, a non-string body,
 * non-scalar header values. multiValueHeaders win over headers of the same name, as AWS merges them.
 */
export function parseProxyResult(
  result: unknown,
  options: ProxyResultOptions = {},
): RestResponse | undefined {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const fields = result as Record<string, unknown>;
  if (Object.keys(fields).some((key) => !ALLOWED_RESULT_KEYS.has(key))) return undefined;
  const statusCode =
    (fields.statusCode === undefined || fields.statusCode === null) && options.defaultStatusCode !== undefined
      ? options.defaultStatusCode
      : proxyStatusCode(fields.statusCode);
  if (statusCode === undefined) return undefined;
  if (fields.body !== undefined && fields.body !== null && typeof fields.body !== 'string') return undefined;
  const headers: Record<string, string[]> = {};
  const single = fields.headers ?? {};
  const multi = fields.multiValueHeaders ?? {};
  if (single === null || typeof single !== 'object' || multi === null || typeof multi !== 'object')
    return undefined;
  for (const [name, value] of Object.entries(single)) {
    if (value === null) continue;
    if (!isScalar(value)) return undefined;
    headers[name] = [String(value)];
  }
  for (const [name, values] of Object.entries(multi)) {
    if (values === null) continue;
    if (!Array.isArray(values) || !values.every(isScalar)) return undefined;
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing) delete headers[existing];
    headers[name] = values.map(String);
  }
  const text = typeof fields.body === 'string' ? fields.body : '';
  const body = fields.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, body };
}
