import {
  type LambdaAuthorizerOutput,
  parseLambdaAuthorizerOutput,
} from '../gateway/lambda-authorizer-result';
import { evaluatePolicy } from '../gateway/policy-evaluation';
import { LambdaInvocationError, type LambdaInvoker } from '../model';
import { authorizerInvocation, noteAuthorizerCacheHit } from '../request-records';
import type { WebSocketAuthorizer } from './websocket-api-definition';
import {
  type ConnectionContext,
  connectAuthorizerEvent,
  connectMethodArn,
  type HandshakeRequest,
  type RequestIds,
} from './websocket-events';

/** Outcome of authorizing a handshake: the `requestContext.authorizer` of the connection, or the refusal. */
export type ConnectAuthorization =
  | { readonly ok: true; readonly authorizer: Record<string, unknown> }
  | { readonly ok: false; readonly statusCode: 401 | 403 | 500; readonly message: string };

/** Options of {@link createConnectAuthorizer}. */
export interface ConnectAuthorizerOptions {
  readonly invoker: LambdaInvoker;
  readonly region: string;
  readonly accountId: string;
  /** Epoch milliseconds; injectable so cache expiry can be tested without waiting. */
  readonly now: () => number;
}

const unauthorized = { ok: false, statusCode: 401, message: 'Unauthorized' } as const;
const forbidden = { ok: false, statusCode: 403, message: 'Forbidden' } as const;
const failure = { ok: false, statusCode: 500, message: 'Internal server error' } as const;

function last(values: readonly string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values[values.length - 1];
}

/**
 * Reads one WebSocket identity source: `route.request.header.X` (case-insensitive), `route.request.querystring.X`,
 * `stageVariables.X` or `context.X` (connectionId, stage, apiId, routeKey, identity.sourceIp, identity.userAgent).
 */
export function readWebSocketIdentitySource(
  expression: string,
  request: HandshakeRequest,
  connection: ConnectionContext,
  stageVariables: Readonly<Record<string, string>>,
): string | undefined {
  const header = (name: string) =>
    last(
      request.headerPairs
        .filter(([key]) => key.toLowerCase() === name.toLowerCase())
        .map(([, value]) => value),
    );
  const context: Record<string, string | undefined> = {
    connectionId: connection.connectionId,
    stage: connection.stage,
    apiId: connection.apiId,
    routeKey: '$connect',
    'identity.sourceIp': connection.sourceIp,
    'identity.userAgent': connection.userAgent,
  };
  const readers: Array<[string, (name: string) => string | undefined]> = [
    ['route.request.header.', header],
    ['route.request.querystring.', (name) => last(request.query[name])],
    ['stageVariables.', (name) => stageVariables[name]],
    ['context.', (name) => context[name]],
  ];
  for (const [prefix, read] of readers) {
    if (expression.startsWith(prefix)) return read(expression.slice(prefix.length));
  }
  return undefined;
}

/**
 * The Lambda REQUEST authorizer of `$connect`: a missing identity source refuses with 401 without invoking; the
 * function's policy must allow the `$connect` method ARN (Deny or no matching Allow: 403); an `Unauthorized`
 * error is 401, any other error or a malformed result 500. Results are cached per identity-source values for the
 * authorizer's TTL when it has one.
 */
export function createConnectAuthorizer(options: ConnectAuthorizerOptions) {
  const cache = new Map<string, { expiresAt: number; output: LambdaAuthorizerOutput }>();

  const decide = (
    connection: ConnectionContext,
    output: LambdaAuthorizerOutput,
    integrationLatency: number,
  ): ConnectAuthorization => {
    const methodArn = connectMethodArn(options.region, options.accountId, connection.apiId, connection.stage);
    if (evaluatePolicy(output.policy, methodArn) !== 'Allow') return forbidden;
    return {
      ok: true,
      authorizer: { ...output.context, principalId: output.principalId, integrationLatency },
    };
  };

  return {
    async authorize(
      authorizer: WebSocketAuthorizer,
      connection: ConnectionContext,
      request: HandshakeRequest,
      ids: RequestIds,
      stageVariables: Readonly<Record<string, string>>,
    ): Promise<ConnectAuthorization> {
      const values: string[] = [];
      for (const expression of authorizer.identitySources) {
        const value = readWebSocketIdentitySource(expression, request, connection, stageVariables);
        if (value === undefined || value.trim() === '') return unauthorized;
        values.push(value);
      }
      // Without identity sources there is nothing to key a cache on, so every handshake invokes.
      const cacheKey =
        authorizer.ttlSeconds > 0 && values.length > 0
          ? JSON.stringify([connection.stage, authorizer.authorizerId, ...values])
          : undefined;
      const startedAt = options.now();
      const cached = cacheKey === undefined ? undefined : cache.get(cacheKey);
      if (cached !== undefined && cached.expiresAt > startedAt) {
        noteAuthorizerCacheHit();
        return decide(connection, cached.output, 0);
      }

      if (authorizer.functionArn === undefined) return failure;
      const event = connectAuthorizerEvent(connection, request, ids, {
        region: options.region,
        accountId: options.accountId,
        stageVariables,
      });
      let result: unknown;
      try {
        const { functionArn } = authorizer;
        result = await authorizerInvocation(() => options.invoker.invoke(functionArn, event));
      } catch (error) {
        if (error instanceof LambdaInvocationError && error.message === 'Unauthorized') return unauthorized;
        return failure;
      }
      const output = parseLambdaAuthorizerOutput(result);
      if (output === undefined) return failure;
      const finishedAt = options.now();
      if (cacheKey !== undefined) {
        cache.set(cacheKey, { expiresAt: finishedAt + authorizer.ttlSeconds * 1000, output });
      }
      return decide(connection, output, Math.max(0, finishedAt - startedAt));
    },
  };
}
