import { formatRequestTime } from '../rest-api/proxy-event';

/** A request as the HTTP API emulator received it. */
export interface HttpApiRequest {
  readonly method: string;
  /** The path as the client sent it (percent-encoded, stage prefix included), without the query string. */
  readonly rawPath: string;
  /** The path under the stage (`/items/1` for `/beta/items/1`), still percent-encoded. */
  readonly stagePath: string;
  /** Everything after `?`, as sent. */
  readonly rawQueryString: string;
  /** Header names lowercased; a repeated header keeps every value in order. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  /** `HTTP/1.1` */
  readonly protocol: string;
}

/** What is known about a request once its stage and route are chosen. */
export interface RequestFacts {
  readonly request: HttpApiRequest;
  readonly apiId: string;
  readonly accountId: string;
  readonly region: string;
  readonly stage: string;
  /** The matched route's key (`GET /items/{id}`, `$default`). */
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** API Gateway's request id (`ZhNHJhhLjoEEPiw=` form). */
  readonly requestId: string;
  readonly timeEpoch: number;
}

/** The query string as name → values, decoded (`+` is a space, as in forms), in order. */
export function parseQuery(rawQueryString: string): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString))
    query[name] = [...(query[name] ?? []), value];
  return query;
}

/** Cookies from every `cookie` header, one entry per `name=value` pair, as payload 2.0's `cookies` lists them. */
export function requestCookies(headers: Readonly<Record<string, readonly string[]>>): string[] {
  return (headers.cookie ?? [])
    .flatMap((header) => header.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');
}

/**
 * Payload 2.0 bodies are base64-encoded unless they are text. Which content types count as text is
 * UNCONFIRMED in AWS's docs; observed: JSON, XML, JavaScript and `text/*` arrive as text, while form posts
 * (`application/x-www-form-urlencoded`, `multipart/form-data`) and binary types arrive base64-encoded.
 * A body without a content type is treated as text when it is valid UTF-8.
 */
export function isTextBody(contentType: string | undefined, body: Buffer): boolean {
  if (contentType === undefined || contentType.trim() === '') {
    return Buffer.from(body.toString('utf8'), 'utf8').equals(body);
  }
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    /^application\/([\w.+-]+\+)?(json|xml)$/.test(type) ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  );
}

/** `{apiId}.execute-api.{region}.amazonaws.com` unless the client called another host (then that one). */
function domainOf(facts: RequestFacts): { domainName: string; domainPrefix: string } {
  const host = facts.request.headers.host?.at(-1);
  const domainName = host ?? `${facts.apiId}.execute-api.${facts.region}.amazonaws.com`;
  const firstLabel = domainName.split('.')[0] ?? facts.apiId;
  // On 127.0.0.1 the first label is a number: the API id is what a function would see as the prefix.
  return { domainName, domainPrefix: /^\d+$/.test(firstLabel) ? facts.apiId : firstLabel };
}

/** Headers as payload 2.0 carries them: lowercased, repeated ones comma-joined, cookies moved to `cookies`. */
export function joinedHeaders(headers: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (name === 'cookie') continue;
    joined[name] = values.join(',');
  }
  return joined;
}

/** `requestContext` of payload 2.0 (without `authorizer`, which the route's authorization adds). */
export function requestContextV2(facts: RequestFacts): Record<string, unknown> {
  const { request } = facts;
  return {
    accountId: facts.accountId,
    apiId: facts.apiId,
    ...domainOf(facts),
    http: {
      method: request.method.toUpperCase(),
      path: request.rawPath,
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent: request.headers['user-agent']?.join(',') ?? '',
    },
    requestId: facts.requestId,
    routeKey: facts.routeKey,
    stage: facts.stage,
    time: formatRequestTime(facts.timeEpoch),
    timeEpoch: facts.timeEpoch,
  };
}

/** The parts shared by the integration event and the Lambda authorizer's REQUEST event. */
function commonV2(facts: RequestFacts): Record<string, unknown> {
  const { request } = facts;
  const cookies = requestCookies(request.headers);
  const query = parseQuery(request.rawQueryString);
  const hasQuery = Object.keys(query).length > 0;
  const hasPathParameters = Object.keys(facts.pathParameters).length > 0;
  const hasStageVariables = Object.keys(facts.stageVariables).length > 0;
  return {
    version: '2.0',
    routeKey: facts.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: joinedHeaders(request.headers),
    ...(hasQuery
      ? {
          queryStringParameters: Object.fromEntries(
            Object.entries(query).map(([name, values]) => [name, values.join(',')]),
          ),
        }
      : {}),
    ...(hasPathParameters ? { pathParameters: { ...facts.pathParameters } } : {}),
    ...(hasStageVariables ? { stageVariables: { ...facts.stageVariables } } : {}),
  };
}

/**
 * The Lambda proxy event of payload format 2.0, shaped like AWS's captures: optional parts (`cookies`,
 * `queryStringParameters`, `pathParameters`, `stageVariables`, `body`, `requestContext.authorizer`) are absent
 * rather than null when there is nothing to put in them.
 */
export function buildV2Event(
  facts: RequestFacts,
  authorizer?: Record<string, unknown>,
): Record<string, unknown> {
  const { request } = facts;
  const base = commonV2(facts);
  const context = requestContextV2(facts);
  const hasBody = request.body.length > 0;
  const text = isTextBody(request.headers['content-type']?.at(-1), request.body);
  return {
    ...base,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(authorizer ? { authorizer } : {}),
      ...context,
    },
    ...(hasBody ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

/** The REQUEST event of a Lambda authorizer with payload format 2.0 (as in AWS's capture). */
export function buildV2AuthorizerEvent(
  facts: RequestFacts,
  routeArn: string,
  identitySource: readonly string[],
): Record<string, unknown> {
  const base = commonV2(facts);
  const { version, ...rest } = base;
  return {
    version,
    type: 'REQUEST',
    routeArn,
    identitySource: [...identitySource],
    ...rest,
    requestContext: requestContextV2(facts),
  };
}

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path under the stage, no leading slash}`. */
export function routeArnOf(facts: RequestFacts): string {
  const path = facts.request.stagePath.replace(/^\//, '');
  return `arn:aws:execute-api:${facts.region}:${facts.accountId}:${facts.apiId}/${facts.stage}/${facts.request.method.toUpperCase()}/${path}`;
}
