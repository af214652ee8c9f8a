import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyWithin } from '../gateway/request-body';
import { createSigV4Check, type SignedRequest, type SigV4Refusal } from '../gateway/sigv4-check';
import type { IamAuthority } from '../iam/call-authority';
import { secretLookup } from '../iam/secret-lookup';

/** A live connection as the `@connections` API sees it. */
export interface ManagedConnection {
  /** Epoch milliseconds. */
  readonly connectedAt: number;
  /** Epoch milliseconds of the client's last message (or the handshake). */
  readonly lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent?: string;
  send(data: Buffer): void;
  /** Closes the connection from the server side (DeleteConnection). */
  disconnect(): void;
}

/** Options of {@link createConnectionsManagementApi}. */
export interface ConnectionsManagementApiOptions {
  readonly apiId: string;
  readonly region: string;
  readonly accountId: string;
  /** The access key callers sign with (the local cloud's credentials). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * IAM: functions sign with their own role's keys, whose policies must allow `execute-api:ManageConnections`.
   * @default only the local credentials are accepted, and not evaluated
   */
  readonly iam?: IamAuthority;
  /** The live connection with this id on this stage, if any. */
  readonly connection: (stage: string, connectionId: string) => ManagedConnection | undefined;
  readonly stages: ReadonlySet<string>;
  /** PostToConnection's limit (AWS: 128 KB). */
  readonly maxPayloadBytes: number;
  readonly now: () => number;
}

const PATH = /^\/([^/]+)\/(?:@|%40)connections\/([^/]+)$/i;
/** Bodies past this are not read at all: far above any limit, it only protects the process. */
const READ_CAP_BYTES = 10 * 1024 * 1024;

function send(response: ServerResponse, statusCode: number, body?: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'x-amzn-RequestId': randomUUID() };
  if (errorType !== undefined) headers['x-amzn-ErrorType'] = errorType;
  if (body === undefined) {
    response.writeHead(statusCode, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  response
    .writeHead(statusCode, {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

function lowercasedHeaders(request: IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    headers[name] = [...(headers[name] ?? []), raw[i + 1] ?? ''];
  }
  return headers;
}

/** The SDK maps `x-amzn-ErrorType` to its exception classes (ForbiddenException and the like). */
function refusal(result: SigV4Refusal): [string, string] {
  return result.responseType === 'MISSING_AUTHENTICATION_TOKEN' || result.responseType === 'ACCESS_DENIED'
    ? ['ForbiddenException', result.message]
    : ['InvalidSignatureException', result.message];
}

/**
 * The `@connections` management API of one WebSocket API, on the API's own port:
 * `POST|GET|DELETE /{stage}/@connections/{connectionId}`, SigV4-signed for `execute-api` with the local
 * credentials (verified as the REST API's AWS_IAM authorizer does). Errors carry `x-amzn-ErrorType`, so
 * `@aws-sdk/client-apigatewaymanagementapi` throws `GoneException`, `PayloadTooLargeException`, `ForbiddenException`.
 * Returns a request handler answering true when the request was one of its paths.
 */
export function createConnectionsManagementApi(options: ConnectionsManagementApiOptions) {
  const iam = createSigV4Check({
    credentials: secretLookup(options.credentials, options.iam),
    ...(options.iam ? { iam: options.iam } : {}),
    action: 'execute-api:ManageConnections',
    region: options.region,
    accountId: options.accountId,
    now: options.now,
  });

  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const match = PATH.exec(rawPath);
    if (match === null) return false;
    const [, stage = '', encodedId = ''] = match;
    if (!options.stages.has(stage)) {
      send(response, 403, { message: 'Forbidden' }, 'ForbiddenException');
      return true;
    }
    const method = (request.method ?? 'GET').toUpperCase();
    const body = await readBodyWithin(request, READ_CAP_BYTES);
    if (body === undefined) {
      send(response, 413, { message: 'Payload too large' }, 'PayloadTooLargeException');
      return true;
    }
    const query: Record<string, string[]> = {};
    for (const [name, value] of new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1))) {
      query[name] = [...(query[name] ?? []), value];
    }
    const connectionId = decodeURIComponent(encodedId);
    const authorization: SignedRequest = {
      restApiId: options.apiId,
      stage,
      // The raw (still percent-encoded) path: the signer encodes it again exactly as the client's signer did.
      request: {
        method,
        path: rawPath.slice(stage.length + 1),
        headers: lowercasedHeaders(request),
        query,
        body,
      },
    };
    const verdict = await iam.verify(authorization);
    if (!verdict.ok) {
      const [errorType, message] = refusal(verdict);
      send(response, verdict.statusCode, { message }, errorType);
      return true;
    }

    const connection = options.connection(stage, connectionId);
    if (method === 'POST' && body.length > options.maxPayloadBytes) {
      // AWS's wording is UNCONFIRMED; the status and error type are those of the API reference.
      send(response, 413, { message: 'Message too long' }, 'PayloadTooLargeException');
      return true;
    }
    if (connection === undefined) {
      send(response, 410, { message: null }, 'GoneException');
      return true;
    }
    if (method === 'POST') {
      connection.send(body);
      send(response, 200);
    } else if (method === 'GET') {
      send(response, 200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent ?? null },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    } else if (method === 'DELETE') {
      connection.disconnect();
      send(response, 204);
    } else {
      send(response, 403, { message: 'Missing Authentication Token' }, 'ForbiddenException');
    }
    return true;
  };
}
