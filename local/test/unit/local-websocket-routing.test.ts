import { LambdaInvocationError, type LambdaInvoker } from '../../model';
import { createConnectAuthorizer, readWebSocketIdentitySource } from '../../websocket/connect-authorizer';
import { chooseRoute, selectRouteKey } from '../../websocket/route-selection';
import type { WebSocketAuthorizer } from '../../websocket/websocket-api-definition';
import {
  type ConnectionContext,
  disconnectEvent,
  type HandshakeRequest,
  requestIds,
} from '../../websocket/websocket-events';
import { awsEvent, eventShape } from '../support/aws-events';

const connection: ConnectionContext = {
  apiId: 'abcdef1234',
  stage: 'dev',
  connectionId: 'BFHPhfCWIAMCKlQ=',
  connectedAt: 1_731_324_924_553,
  domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
  sourceIp: '192.0.2.1',
};
const handshake = (
  query: Record<string, string[]>,
  headers: Array<[string, string]> = [],
): HandshakeRequest => ({
  headerPairs: headers,
  query,
});

describe('WebSocket route selection', () => {
  const routes = new Map([
    ['sendmessage', 'send'],
    ['7', 'seven'],
    ['true', 'yes'],
    ['$default', 'default'],
    ['$disconnect', 'disconnect'],
  ]);

  it('selects the stringified value at the expression path of a JSON body', () => {
    expect(selectRouteKey('$request.body.action', '{"action":"sendmessage"}')).toBe('sendmessage');
    expect(selectRouteKey('$request.body.meta.kind', '{"meta":{"kind":"ping"}}')).toBe('ping');
    expect(chooseRoute(routes, '$request.body.action', '{"action":7}')).toBe('seven');
    expect(chooseRoute(routes, '$request.body.action', '{"action":true}')).toBe('yes');
  });

  it('falls back to $default for non-JSON, a missing path, an unknown key or a special route key', () => {
    expect(chooseRoute(routes, '$request.body.action', 'hello')).toBe('default');
    expect(chooseRoute(routes, '$request.body.action', '{"other":1}')).toBe('default');
    expect(chooseRoute(routes, '$request.body.action', '{"action":"nope"}')).toBe('default');
    expect(chooseRoute(routes, '$request.body.action', '{"action":"$disconnect"}')).toBe('default');
    expect(chooseRoute(routes, '$request.body.action', undefined)).toBe('default');
  });

  it('finds no route when nothing matches and there is no $default', () => {
    expect(
      chooseRoute(new Map([['ping', 'ping']]), '$request.body.action', '{"action":"pong"}'),
    ).toBeUndefined();
  });
});

describe('WebSocket identity sources', () => {
  it('reads query strings, headers case-insensitively, stage variables and context values', () => {
    const request = handshake({ token: ['a', 'b'] }, [['X-Api-Token', 'h1']]);
    const read = (expression: string) =>
      readWebSocketIdentitySource(expression, request, connection, { colour: 'blue' });

    expect(read('route.request.querystring.token')).toBe('b');
    expect(read('route.request.header.x-api-token')).toBe('h1');
    expect(read('stageVariables.colour')).toBe('blue');
    expect(read('context.connectionId')).toBe(connection.connectionId);
    expect(read('route.request.querystring.missing')).toBeUndefined();
  });
});

describe('the $connect authorizer result cache', () => {
  const allow = (resource: string) => ({
    principalId: 'p',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
    },
    context: { n: 1 },
  });
  const authorizer = (ttlSeconds: number): WebSocketAuthorizer => ({
    authorizerId: 'auth1',
    name: 'auth',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:auth',
    identitySources: ['route.request.querystring.token'],
    ttlSeconds,
  });

  function scripted(result: () => unknown) {
    const calls: unknown[] = [];
    const invoker: LambdaInvoker = {
      invoke: async (_arn, event) => {
        calls.push(event);
        return result();
      },
    };
    return { calls, invoker };
  }

  it('invokes on every handshake when the authorizer has no TTL (what CDK emits for WebSocket APIs)', async () => {
    const { calls, invoker } = scripted(() => allow('*'));
    const auth = createConnectAuthorizer({
      invoker,
      region: 'eu-west-1',
      accountId: '123456789012',
      now: () => 0,
    });
    const request = handshake({ token: ['t'] });

    await auth.authorize(authorizer(0), connection, request, requestIds(0), {});
    await auth.authorize(authorizer(0), connection, request, requestIds(0), {});

    expect(calls).toHaveLength(2);
  });

  it('reuses a result for the same identity within a TTL the template sets, and not after it', async () => {
    let clock = 0;
    const { calls, invoker } = scripted(() => allow('*'));
    const auth = createConnectAuthorizer({
      invoker,
      region: 'eu-west-1',
      accountId: '123456789012',
      now: () => clock,
    });

    const first = await auth.authorize(
      authorizer(60),
      connection,
      handshake({ token: ['t'] }),
      requestIds(0),
      {},
    );
    await auth.authorize(authorizer(60), connection, handshake({ token: ['t'] }), requestIds(0), {});
    await auth.authorize(authorizer(60), connection, handshake({ token: ['other'] }), requestIds(0), {});
    clock = 61_000;
    await auth.authorize(authorizer(60), connection, handshake({ token: ['t'] }), requestIds(0), {});

    expect(first).toEqual({ ok: true, authorizer: { n: '1', principalId: 'p', integrationLatency: 0 } });
    expect(calls).toHaveLength(3);
  });

  it("refuses with 403 when the policy does not cover the stage's $connect ARN, 500 on a malformed result and 401 on Unauthorized", async () => {
    const wrongStage = scripted(() =>
      allow('arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/$connect'),
    );
    const malformed = scripted(() => ({ principalId: 'p' }));
    const failing = scripted(() => {
      throw new LambdaInvocationError('Unauthorized', 'Unhandled');
    });
    const authorize = (invoker: LambdaInvoker) =>
      createConnectAuthorizer({
        invoker,
        region: 'eu-west-1',
        accountId: '123456789012',
        now: () => 0,
      }).authorize(authorizer(0), connection, handshake({ token: ['t'] }), requestIds(0), {});

    expect(await authorize(wrongStage.invoker)).toMatchObject({ ok: false, statusCode: 403 });
    expect(await authorize(malformed.invoker)).toMatchObject({ ok: false, statusCode: 500 });
    expect(await authorize(failing.invoker)).toMatchObject({ ok: false, statusCode: 401 });
  });
});

describe('the $disconnect event', () => {
  it('carries the close code and reason and the connection context', () => {
    const event = disconnectEvent(
      { ...connection, authorizer: { principalId: 'p' } },
      { code: 1001, reason: 'Going away' },
      requestIds(1_731_324_999_000),
    );

    expect(event).toMatchObject({
      headers: { Host: connection.domainName },
      requestContext: {
        routeKey: '$disconnect',
        eventType: 'DISCONNECT',
        disconnectStatusCode: 1001,
        disconnectReason: 'Going away',
        connectionId: connection.connectionId,
        connectedAt: connection.connectedAt,
        authorizer: { principalId: 'p' },
        requestTime: '11/Nov/2024:11:36:39 +0000',
      },
      isBase64Encoded: false,
    });
  });
});

describe('the $disconnect event after a close without a reason, against the developer guide example', () => {
  const example = awsEvent<{ requestContext: Record<string, unknown> }>('websocket_disconnect.json');

  it('says "Client-side close frame status not set" for a client close without a status code (1005), as AWS does', () => {
    const event = disconnectEvent(connection, { code: 1005, reason: '' }, requestIds(1_731_324_999_000)) as {
      requestContext: Record<string, unknown>;
    };
    expect(event.requestContext.disconnectStatusCode).toBe(example.requestContext.disconnectStatusCode);
    expect(event.requestContext.disconnectReason).toBe(example.requestContext.disconnectReason);
    expect(eventShape(event, (key) => key === 'headers' || key === 'multiValueHeaders')).toEqual(
      eventShape(example, (key) => key === 'headers' || key === 'multiValueHeaders'),
    );
  });

  it('says "Connection Closed Normally" for a 1000 close without a reason, and keeps a reason the client gave', () => {
    const normal = disconnectEvent(connection, { code: 1000, reason: '' }, requestIds(0)) as {
      requestContext: Record<string, unknown>;
    };
    expect(normal.requestContext.disconnectReason).toBe('Connection Closed Normally');
    const given = disconnectEvent(connection, { code: 1000, reason: 'done' }, requestIds(0)) as {
      requestContext: Record<string, unknown>;
    };
    expect(given.requestContext.disconnectReason).toBe('done');
  });
});
