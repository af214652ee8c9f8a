import { isUtf8 } from 'node:buffer';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { IamAuthority } from '../iam/call-authority';
import { type PlainAndTlsListener, plainAndTlsListener } from '../loopback-tls';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import {
  noteRouteKey,
  noteStatus,
  type RequestRecorder,
  recordedListener,
  traceRequest,
} from '../request-records';
import { createConnectAuthorizer } from './connect-authorizer';
import { createConnectionsManagementApi, type ManagedConnection } from './connections-management-api';
import { chooseRoute, isSupportedSelectionExpression } from './route-selection';
import {
  type WebSocketApiDefinition,
  type WebSocketRoute,
  webSocketApiDefinition,
} from './websocket-api-definition';
import {
  type ConnectionContext,
  connectEvent,
  disconnectEvent,
  gatewayId,
  type HandshakeRequest,
  messageEvent,
  type RequestIds,
  requestIds,
} from './websocket-events';

/** API Gateway's WebSocket quotas that the emulator enforces; tests shorten the timeouts. */
export interface WebSocketLimits {
  /** Largest message (and `@connections` POST body); a bigger message closes the connection with 1009. */
  readonly maxMessageBytes: number;
  /** A connection with no client message for this long is closed (1001 Going away). */
  readonly idleTimeoutMs: number;
  /** A connection is closed (1001 Going away) this long after its handshake, active or not. */
  readonly maxConnectionMs: number;
}

/** AWS's values: 128 KB messages, 10 minutes idle, 2 hours per connection. */
export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxMessageBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxConnectionMs: 2 * 60 * 60 * 1000,
};

/** Options of {@link createWebSocketApiServer}. */
export interface WebSocketApiServerOptions {
  readonly model: LocalCloudModel;
  /** The `AWS::ApiGatewayV2::Api` (ProtocolType WEBSOCKET) to serve, by its physical id. */
  readonly apiId: string;
  readonly invoker: LambdaInvoker;
  readonly region: string;
  readonly accountId: string;
  /** What `@connections` callers must sign with (SigV4, service `execute-api`). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** IAM: `@connections` callers' policies must allow `execute-api:ManageConnections`. @default not evaluated */
  readonly iam?: IamAuthority;
  readonly log?: (line: string) => void;
  /** Receives one record per handshake, message, `$disconnect` and `@connections` call. */
  readonly onRequest?: RequestRecorder;
  /** @default {@link DEFAULT_WEBSOCKET_LIMITS} */
  readonly limits?: Partial<WebSocketLimits>;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** One WebSocket API served on its own port: client connections and the `@connections` API. */
export interface WebSocketApiServer {
  readonly definition: WebSocketApiDefinition;
  /** Starts listening (port 0 = a free one); resolves to {@link callbackUrl}. */
  listen(port?: number, host?: string): Promise<string>;
  /** `ws://<host>:<port>`, what replaces `wss://{apiId}.execute-api.{region}.{suffix}`; clients add `/<stage>`. */
  readonly url: string;
  /** `http://<host>:<port>`, what replaces `https://{apiId}.execute-api.{region}.{suffix}` (`@connections`). */
  readonly callbackUrl: string;
  /** Ids of the open connections of a stage. */
  connectionIds(stage: string): string[];
  /** Closes every connection (1001 Going away, `$disconnect` invoked and awaited), then the listener. */
  close(): Promise<void>;
  /**
   * Re-reads the API's routes and stages from a re-synthesized model: open connections stay open and their
   * next message is routed by the new definition.
   */
  reload(model: LocalCloudModel): void;
}

/**
 * The local origin of a WebSocket API listening on `port`, for the template loader's `executeApi(apiId, scheme)`
 * (which runs before the server listens): `https` → the `@connections` callback origin, `wss` → the client origin.
 */
export function executeApiOrigin(scheme: 'https' | 'wss', port: number, host = '127.0.0.1'): string {
  return `${scheme === 'wss' ? 'ws' : 'http'}://${host}:${port}`;
}

type Invocation = { readonly ok: true; readonly result: unknown } | { readonly ok: false };

interface LiveConnection extends ManagedConnection {
  readonly context: ConnectionContext;
  lastActiveAt: number;
  /** Set when the server closes the connection, so `$disconnect` reports the server's code and reason. */
  closeCause?: { readonly code: number; readonly reason: string };
  idleTimer?: NodeJS.Timeout;
  lifetimeTimer?: NodeJS.Timeout;
  /** Server shutdown: 1001 Going away, then the socket is dropped if the client never answers. */
  shutdown(): void;
  readonly closed: Promise<void>;
}

const GOING_AWAY = { code: 1001, reason: 'Going away' } as const;

function headerPairsOf(rawHeaders: readonly string[]): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  return pairs;
}

function queryOf(search: URLSearchParams): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [name, value] of search) query[name] = [...(query[name] ?? []), value];
  return query;
}

function refuseHandshake(socket: Duplex, statusCode: number, message: string): void {
  noteStatus(statusCode);
  const body = JSON.stringify({ message });
  socket.end(
    [
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/** The status of a `$connect` result; a result without one counts as accepted (UNCONFIRMED for AWS). */
function connectStatusOf(result: unknown): number {
  if (result === null || typeof result !== 'object') return 200;
  const status = Number((result as Record<string, unknown>).statusCode ?? 200);
  return Number.isInteger(status) ? status : 500;
}

function bodyOf(result: unknown): string | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const body = (result as Record<string, unknown>).body;
  return typeof body === 'string' ? body : undefined;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * Serves one WebSocket API of any CDK app (`WebSocketApi`/`WebSocketStage`, `WebSocketLambdaIntegration`,
 * `WebSocketLambdaAuthorizer`): clients connect at `ws://127.0.0.1:<port>/<stage>`; `$connect` runs its REQUEST
 * authorizer and integration before the upgrade (either can refuse it); messages are routed by the API's route
 * selection expression to Lambda proxy integrations (two-way routes send the result's `body` back); `$disconnect`
 * is invoked, best effort, however the connection ends. The `@connections` API answers on the same port, and the
 * port speaks TLS too (`wss://`, `https://<domainName>/<stage>/@connections`), told apart by the first byte.
 */
export function createWebSocketApiServer(options: WebSocketApiServerOptions): WebSocketApiServer {
  let definition = webSocketApiDefinition(options.model, options.apiId);
  const limits: WebSocketLimits = { ...DEFAULT_WEBSOCKET_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const log = (line: string) => options.log?.(`[websocket ${options.apiId}] ${line}`);
  for (const warning of definition.warnings) log(warning);
  if (!isSupportedSelectionExpression(definition.routeSelectionExpression)) {
    log(
      `route selection expression ${definition.routeSelectionExpression} is not supported (only $request.body.<path>): every message goes to $default`,
    );
  }

  const recordOf = (stage?: string) =>
    ({ kind: 'WebSocket API', api: definition.name, method: '', path: stage ? `/${stage}` : '' }) as const;
  const connections = new Map<string, LiveConnection>();
  const pending = new Set<Promise<unknown>>();
  const keyOf = (stage: string, connectionId: string) => `${stage}\n${connectionId}`;
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  };

  const authorizer = createConnectAuthorizer({
    invoker: options.invoker,
    region: options.region,
    accountId: options.accountId,
    now,
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });

  const invokeRoute = async (route: WebSocketRoute, event: unknown): Promise<Invocation> => {
    const functionArn = route.integration?.functionArn;
    if (functionArn === undefined) return { ok: false };
    try {
      return { ok: true, result: await options.invoker.invoke(functionArn, event) };
    } catch (error) {
      log(`${route.routeKey}: integration failed: ${error instanceof Error ? error.message : String(error)}`);
      return { ok: false };
    }
  };

  const invokeDisconnect = (context: ConnectionContext, cause: { code: number; reason: string }) => {
    const route = definition.routes.get('$disconnect');
    if (route === undefined) return;
    const start = { ...recordOf(context.stage), method: '$disconnect' };
    void track(
      traceRequest(options.onRequest, start, async () => {
        const outcome = await invokeRoute(route, disconnectEvent(context, cause, requestIds(now())));
        return outcome.ok ? 200 : 500;
      }),
    );
  };

  const gatewayError = (connection: LiveConnection, message: string, ids: RequestIds) => {
    noteStatus(message === 'Forbidden' ? 403 : 500);
    connection.send(
      Buffer.from(
        JSON.stringify({ message, connectionId: connection.context.connectionId, requestId: ids.requestId }),
      ),
    );
  };

  const onMessage = async (connection: LiveConnection, data: Buffer, isBinary: boolean): Promise<void> => {
    const ids = requestIds(now());
    const text = isBinary ? undefined : data.toString('utf8');
    const route = chooseRoute(definition.routes, definition.routeSelectionExpression, text);
    if (route === undefined) {
      gatewayError(connection, 'Forbidden', ids);
      return;
    }
    noteRouteKey(route.routeKey);
    const message =
      text === undefined
        ? { body: data.toString('base64'), isBase64Encoded: true }
        : { body: text, isBase64Encoded: false };
    const outcome = await invokeRoute(route, messageEvent(connection.context, route.routeKey, message, ids));
    if (!outcome.ok) {
      gatewayError(connection, 'Internal server error', ids);
      return;
    }
    const body = route.twoWay ? bodyOf(outcome.result) : undefined;
    if (body !== undefined) connection.send(Buffer.from(body));
  };

  const register = (ws: WebSocket, context: ConnectionContext): void => {
    const key = keyOf(context.stage, context.connectionId);
    const serverClose = (cause: { code: number; reason: string }) => {
      if (connection.closeCause !== undefined || ws.readyState !== WebSocket.OPEN) return;
      connection.closeCause = cause;
      ws.close(cause.code, cause.reason);
    };
    const armIdle = () => {
      clearTimeout(connection.idleTimer);
      connection.idleTimer = setTimeout(() => serverClose(GOING_AWAY), limits.idleTimeoutMs).unref();
    };
    const connection: LiveConnection = {
      context,
      connectedAt: context.connectedAt,
      lastActiveAt: context.connectedAt,
      sourceIp: context.sourceIp,
      ...(context.userAgent === undefined ? {} : { userAgent: context.userAgent }),
      send: (data) => {
        // PostToConnection data goes out as text when it is text, as browsers' `event.data` strings show.
        if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: !isUtf8(data) });
      },
      // DeleteConnection: the close code AWS uses is UNCONFIRMED; 1000 is the ordinary server-side close.
      disconnect: () => serverClose({ code: 1000, reason: '' }),
      shutdown: () => {
        serverClose(GOING_AWAY);
        setTimeout(() => ws.terminate(), 1000).unref();
      },
      closed: new Promise<void>((resolve) => ws.once('close', () => resolve())),
    };
    connections.set(key, connection);
    armIdle();
    connection.lifetimeTimer = setTimeout(() => serverClose(GOING_AWAY), limits.maxConnectionMs).unref();

    ws.on('message', (data, isBinary) => {
      connection.lastActiveAt = now();
      armIdle();
      void traceRequest(options.onRequest, { ...recordOf(context.stage), method: 'MESSAGE' }, async () => {
        await onMessage(connection, toBuffer(data), isBinary);
        return 200;
      });
    });
    ws.on('error', (error) => {
      // ws has already closed the connection with the error's code (1009 for a message over maxPayload).
      if (connection.closeCause === undefined && 'code' in error) {
        const tooBig = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
        connection.closeCause = tooBig
          ? { code: 1009, reason: 'Message too big' }
          : { code: 1002, reason: '' };
      }
      log(`connection ${context.connectionId}: ${error.message}`);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(connection.idleTimer);
      clearTimeout(connection.lifetimeTimer);
      connections.delete(key);
      invokeDisconnect(context, connection.closeCause ?? { code, reason: reason.toString('utf8') });
    });
  };

  const handshake = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const stage = definition.stages.get(decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, '')));
    if (stage === undefined) {
      refuseHandshake(socket, 403, 'Forbidden');
      return;
    }
    const handshakeRequest: HandshakeRequest = {
      headerPairs: headerPairsOf(request.rawHeaders),
      query: queryOf(url.searchParams),
    };
    const userAgent = request.headers['user-agent'];
    const connectedAt = now();
    let context: ConnectionContext = {
      apiId: definition.apiId,
      stage: stage.name,
      connectionId: gatewayId(),
      connectedAt,
      domainName: request.headers.host ?? `${definition.apiId}.execute-api.${options.region}.amazonaws.com`,
      sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      ...(userAgent === undefined ? {} : { userAgent }),
    };
    const ids = requestIds(connectedAt);
    const route = definition.routes.get('$connect');
    if (route !== undefined && route.authorizationType !== 'NONE') {
      if (route.authorizer === undefined) {
        refuseHandshake(socket, route.authorizationType === 'AWS_IAM' ? 403 : 500, 'Forbidden');
        return;
      }
      const verdict = await authorizer.authorize(
        route.authorizer,
        context,
        handshakeRequest,
        ids,
        stage.variables,
      );
      if (!verdict.ok) {
        refuseHandshake(socket, verdict.statusCode, verdict.message);
        return;
      }
      context = { ...context, authorizer: verdict.authorizer };
    }
    if (route !== undefined) {
      const outcome = await invokeRoute(route, connectEvent(context, handshakeRequest, ids));
      const status = outcome.ok ? connectStatusOf(outcome.result) : 500;
      if (status < 200 || status > 299) {
        const refused = status >= 400 && status <= 599 ? status : 500;
        refuseHandshake(socket, refused, refused === 500 ? 'Internal server error' : 'Forbidden');
        return;
      }
    }
    if (socket.destroyed) {
      // The client left while $connect ran: the app may have stored the connection, so it hears of the end.
      invokeDisconnect(context, { code: 1006, reason: 'Connection closed abnormally' });
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => register(ws, context));
  };

  // One set for the management API, refilled on reload, so a stage added later is reachable at once.
  const stageNames = new Set(definition.stages.keys());
  const management = createConnectionsManagementApi({
    apiId: definition.apiId,
    region: options.region,
    accountId: options.accountId,
    credentials: options.credentials,
    ...(options.iam ? { iam: options.iam } : {}),
    connection: (stage, connectionId) => connections.get(keyOf(stage, connectionId)),
    stages: stageNames,
    maxPayloadBytes: limits.maxMessageBytes,
    now,
  });

  let server: PlainAndTlsListener | undefined;
  let origin: { host: string; port: number } | undefined;
  const listening = () => {
    if (origin === undefined) throw new Error(`WebSocket API ${options.apiId} is not listening`);
    return origin;
  };

  return {
    get definition() {
      return definition;
    },
    reload(model) {
      definition = webSocketApiDefinition(model, options.apiId);
      for (const warning of definition.warnings) log(warning);
      stageNames.clear();
      for (const stage of definition.stages.keys()) stageNames.add(stage);
    },
    async listen(port = 0, host = '127.0.0.1') {
      // https:// as well as http:// on the API's one port: a function that builds its @connections URL from the
      // event (`https://${requestContext.domainName}/${requestContext.stage}`) reaches it as in AWS.
      const listener = await plainAndTlsListener(
        recordedListener(options.onRequest, recordOf(), (request, response) => {
          management(request, response)
            .then((handled) => {
              if (handled) return;
              const body = JSON.stringify({ message: 'Forbidden' });
              response.writeHead(403, { 'content-type': 'application/json' }).end(body);
            })
            .catch((error: unknown) => {
              log(`@connections: ${error instanceof Error ? error.message : String(error)}`);
              if (!response.headersSent) response.writeHead(500).end();
            });
        }),
      );
      listener.http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        const start = { ...recordOf(), method: '$connect', path: (request.url ?? '/').split('?')[0] ?? '/' };
        void traceRequest(options.onRequest, start, async () => {
          await handshake(request, socket, head).catch((error: unknown) => {
            log(`handshake failed: ${error instanceof Error ? error.message : String(error)}`);
            if (!socket.destroyed) refuseHandshake(socket, 500, 'Internal server error');
          });
          return 101;
        });
      });
      server = listener;
      origin = { host, port: await listener.listen(port, host) };
      return this.callbackUrl;
    },
    get url() {
      const { host, port } = listening();
      return executeApiOrigin('wss', port, host);
    },
    get callbackUrl() {
      const { host, port } = listening();
      return executeApiOrigin('https', port, host);
    },
    connectionIds(stage) {
      return [...connections.values()]
        .filter((c) => c.context.stage === stage)
        .map((c) => c.context.connectionId);
    },
    async close() {
      const open = [...connections.values()];
      for (const connection of open) connection.shutdown();
      await Promise.all(open.map((c) => c.closed));
      await Promise.allSettled([...pending]);
      wss.close();
      const closing = server;
      server = undefined;
      origin = undefined;
      if (closing) await closing.close();
    },
  };
}
