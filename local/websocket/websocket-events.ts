import { randomBytes } from 'node:crypto';
import { formatRequestTime, singleAndMulti } from '../rest-api/proxy-event';

/**
 * What API Gateway knows about a WebSocket connection from its handshake on; every event of the connection
 * carries it in `requestContext`.
 */
export interface ConnectionContext {
  readonly apiId: string;
  readonly stage: string;
  readonly connectionId: string;
  /** Epoch milliseconds. */
  readonly connectedAt: number;
  /** The `Host` the client connected to (AWS: `{apiId}.execute-api.{region}.amazonaws.com`). */
  readonly domainName: string;
  readonly sourceIp: string;
  readonly userAgent?: string;
  /** `principalId`, `integrationLatency` and the authorizer's context, when `$connect` had an authorizer. */
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

/** The handshake request, as the gateway saw it. */
export interface HandshakeRequest {
  /** Name/value pairs in the client's casing and order. */
  readonly headerPairs: ReadonlyArray<readonly [string, string]>;
  /** Query parameters, each with every value in order. */
  readonly query: Readonly<Record<string, readonly string[]>>;
}

/** An id shaped like API Gateway's connection, request and message ids (e.g. `BFHPhfCWIAMCKlQ=`). */
export function gatewayId(): string {
  return `${randomBytes(11).toString('base64url')}=`;
}

/** Ids of one request through the gateway. */
export interface RequestIds {
  readonly requestId: string;
  readonly extendedRequestId: string;
  /** Epoch milliseconds. */
  readonly requestTimeEpoch: number;
}

/** A fresh request id pair, as API Gateway gives every event (`extendedRequestId` equals `requestId` in captures). */
export function requestIds(nowMs: number): RequestIds {
  const requestId = gatewayId();
  return { requestId, extendedRequestId: requestId, requestTimeEpoch: nowMs };
}

type EventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT';

function requestContext(
  connection: ConnectionContext,
  ids: RequestIds,
  routeKey: string,
  eventType: EventType,
  extra: { messageId?: string; disconnect?: { code: number; reason: string } } = {},
): Record<string, unknown> {
  // Key order follows AWS's captures; userAgent appears only when the client sent one (the captures had none).
  return {
    routeKey,
    ...(extra.messageId === undefined ? {} : { messageId: extra.messageId }),
    ...(extra.disconnect === undefined ? {} : { disconnectStatusCode: extra.disconnect.code }),
    eventType,
    extendedRequestId: ids.extendedRequestId,
    requestTime: formatRequestTime(ids.requestTimeEpoch),
    messageDirection: 'IN',
    ...(extra.disconnect === undefined ? {} : { disconnectReason: extra.disconnect.reason }),
    stage: connection.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: ids.requestTimeEpoch,
    identity: {
      ...(connection.userAgent === undefined ? {} : { userAgent: connection.userAgent }),
      sourceIp: connection.sourceIp,
    },
    requestId: ids.requestId,
    domainName: connection.domainName,
    connectionId: connection.connectionId,
    apiId: connection.apiId,
    ...(connection.authorizer === undefined ? {} : { authorizer: { ...connection.authorizer } }),
  };
}

/**
 * The headers API Gateway adds to the handshake it forwards (captures show them on `$connect`); the client's own
 * values win.
 */
function forwardedHeaders(
  request: HandshakeRequest,
  sourceIp: string,
  nowMs: number,
): Array<readonly [string, string]> {
  const present = new Set(request.headerPairs.map(([name]) => name.toLowerCase()));
  const traceId = `Root=1-${Math.floor(nowMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const added: Array<readonly [string, string]> = [
    ['X-Amzn-Trace-Id', traceId],
    ['X-Forwarded-For', sourceIp],
    ['X-Forwarded-Port', '443'],
    ['X-Forwarded-Proto', 'https'],
  ];
  return [...request.headerPairs, ...added.filter(([name]) => !present.has(name.toLowerCase()))];
}

function queryViews(request: HandshakeRequest) {
  return singleAndMulti(
    Object.entries(request.query).flatMap(([name, values]) => values.map((v): [string, string] => [name, v])),
  );
}

/** The `$connect` event (like the websocket_connect capture); query parameters only when the client sent some. */
export function connectEvent(
  connection: ConnectionContext,
  request: HandshakeRequest,
  ids: RequestIds,
): Record<string, unknown> {
  const headers = singleAndMulti(forwardedHeaders(request, connection.sourceIp, ids.requestTimeEpoch));
  const query = queryViews(request);
  const hasQuery = Object.keys(query.single).length > 0;
  return {
    headers: headers.single,
    multiValueHeaders: headers.multi,
    ...(hasQuery
      ? { queryStringParameters: query.single, multiValueQueryStringParameters: query.multi }
      : {}),
    requestContext: requestContext(connection, ids, '$connect', 'CONNECT'),
    isBase64Encoded: false,
  };
}

/** The REQUEST authorizer event of `$connect` (like the websocket_connect-authorizer-request capture). */
export function connectAuthorizerEvent(
  connection: ConnectionContext,
  request: HandshakeRequest,
  ids: RequestIds,
  env: {
    readonly region: string;
    readonly accountId: string;
    readonly stageVariables: Readonly<Record<string, string>>;
  },
): Record<string, unknown> {
  const headers = singleAndMulti(forwardedHeaders(request, connection.sourceIp, ids.requestTimeEpoch));
  const query = queryViews(request);
  return {
    type: 'REQUEST',
    methodArn: connectMethodArn(env.region, env.accountId, connection.apiId, connection.stage),
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    stageVariables: { ...env.stageVariables },
    requestContext: requestContext({ ...connection, authorizer: undefined }, ids, '$connect', 'CONNECT'),
    isBase64Encoded: false,
    body: null,
  };
}

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect`, what an authorizer's policy must allow. */
export function connectMethodArn(region: string, accountId: string, apiId: string, stage: string): string {
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}/$connect`;
}

/** A message event (like the websocket_message capture); binary frames arrive base64-encoded. */
export function messageEvent(
  connection: ConnectionContext,
  routeKey: string,
  message: { readonly body: string; readonly isBase64Encoded: boolean },
  ids: RequestIds,
): Record<string, unknown> {
  return {
    requestContext: requestContext(connection, ids, routeKey, 'MESSAGE', { messageId: gatewayId() }),
    body: message.body,
    isBase64Encoded: message.isBase64Encoded,
  };
}

/**
 * `requestContext.disconnectReason` as API Gateway words it when the close frame carries no reason of its own:
 * a client close without a status code (1005) and a normal close (1000, which DeleteConnection makes) have
 * their own texts in AWS's events (the developer guide's `$disconnect` example; AWS access logs quoted in
 * public issues). Any other code without a reason stays empty (AWS's wording unknown).
 */
const DISCONNECT_REASONS: Readonly<Record<number, string>> = {
  1000: 'Connection Closed Normally',
  1005: 'Client-side close frame status not set',
};

/**
 * The `$disconnect` event, shaped like the developer guide's example (test/fixtures/aws-events/websocket_disconnect.json):
 * Host plus empty `x-api-key`, `X-Forwarded-For` and `x-restapi` headers.
 */
export function disconnectEvent(
  connection: ConnectionContext,
  disconnect: { readonly code: number; readonly reason: string },
  ids: RequestIds,
): Record<string, unknown> {
  const headers = singleAndMulti([
    ['Host', connection.domainName],
    ['x-api-key', ''],
    ['X-Forwarded-For', ''],
    ['x-restapi', ''],
  ]);
  return {
    headers: headers.single,
    multiValueHeaders: headers.multi,
    requestContext: requestContext(connection, ids, '$disconnect', 'DISCONNECT', {
      disconnect: {
        code: disconnect.code,
        reason: disconnect.reason || (DISCONNECT_REASONS[disconnect.code] ?? ''),
      },
    }),
    isBase64Encoded: false,
  };
}
