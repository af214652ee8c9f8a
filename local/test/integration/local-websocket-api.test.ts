import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { App, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import WebSocket from 'ws';
import { createLambdaRuntime, type LambdaRuntime, localFunctionFromResource } from '../../lambda';
import { portOutsideEphemeralRange } from '../../loopback-server';
import type { LambdaInvoker, LocalCloudModel } from '../../model';
import { loadCloudAssembly } from '../../template/cloud-assembly';
import {
  createWebSocketApiServer,
  executeApiOrigin,
  type WebSocketApiServer,
  webSocketApiIds,
} from '../../websocket';
import { awsEvent, eventShape } from '../support/aws-events';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'AKIALOCALWEBSOCKET01', secretAccessKey: 'local-websocket-test-secret' };

jest.setTimeout(30_000);

let workDir: string;
let model: LocalCloudModel;
let runtime: LambdaRuntime;
let chat: WebSocketApiServer;
let selection: WebSocketApiServer;
let chatUrl: string;
let selectionUrl: string;
let management: ApiGatewayManagementApiClient;
const invocations: Array<{ functionArn: string; event: Record<string, unknown> }> = [];
const openClients: WebSocket[] = [];

const AUTHORIZER = `
exports.handler = async (event) => {
  const token = event.queryStringParameters.token;
  if (token === 'unauthorized') throw new Error('Unauthorized');
  if (token === 'crash') throw new Error('database down');
  return {
    principalId: 'user-' + token,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: token.startsWith('good-') ? 'Allow' : 'Deny', Resource: event.methodArn }],
    },
    context: { tenantId: token.slice(5), tier: 2 },
  };
};`;
const CONNECT = `exports.handler = async (event) =>
  ({ statusCode: event.queryStringParameters && event.queryStringParameters.refuse ? 403 : 200 });`;
const ECHO = `exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({
    route: event.requestContext.routeKey,
    connectionId: event.requestContext.connectionId,
    authorizer: event.requestContext.authorizer,
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  }),
});`;
const SEND = `
const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
const client = new ApiGatewayManagementApiClient({ endpoint: process.env.CALLBACK_URL });
exports.handler = async (event) => {
  const { to, text } = JSON.parse(event.body);
  try {
    await client.send(new PostToConnectionCommand({ ConnectionId: to, Data: text }));
  } catch (error) {
    const report = JSON.stringify({ failed: error.name, status: error.$metadata && error.$metadata.httpStatusCode });
    await client.send(new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: report }));
  }
  return { statusCode: 200, body: 'one-way routes send nothing back' };
};`;

/**
 * Two WebSocket APIs the way CDK apps commonly write them: a chat API with a query-string token authorizer on
 * $connect, $disconnect, a two-way $default, a one-way `sendmessage` that posts through @connections and a
 * failing route; and an API with its own selection expression and no $default.
 */
function synthesize(outdir: string): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'WebSocketApp', { env: { account: ACCOUNT, region: REGION } });
  const fn = (id: string, source: string, environment?: Record<string, string>) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(source),
      functionName: id,
      ...(environment ? { environment } : {}),
    });
  const integration = (id: string, handler: lambda.IFunction) => new WebSocketLambdaIntegration(id, handler);

  const authorizer = new WebSocketLambdaAuthorizer('TokenAuthorizer', fn('authorizer', AUTHORIZER), {
    identitySource: ['route.request.querystring.token'],
  });
  const api = new apigwv2.WebSocketApi(stack, 'ChatApi', {
    connectRouteOptions: { integration: integration('Connect', fn('connect', CONNECT)), authorizer },
    disconnectRouteOptions: {
      integration: integration(
        'Disconnect',
        fn('disconnect', 'exports.handler = async () => ({ statusCode: 200 });'),
      ),
    },
    defaultRouteOptions: { integration: integration('Echo', fn('echo', ECHO)), returnResponse: true },
  });
  const stage = new apigwv2.WebSocketStage(stack, 'DevStage', {
    webSocketApi: api,
    stageName: 'dev',
    autoDeploy: true,
  });
  const send = fn('send', SEND, { CALLBACK_URL: stage.callbackUrl });
  stage.grantManagementApiAccess(send);
  api.addRoute('sendmessage', { integration: integration('Send', send) });
  api.addRoute('crash', {
    integration: integration(
      'Crash',
      fn('crash', "exports.handler = async () => { throw new Error('kaput'); };"),
    ),
  });

  const selectionApi = new apigwv2.WebSocketApi(stack, 'SelectionApi', {
    routeSelectionExpression: '$request.body.meta.kind',
  });
  selectionApi.addRoute('ping', { integration: integration('Ping', fn('ping', ECHO)), returnResponse: true });
  new apigwv2.WebSocketStage(stack, 'LiveStage', {
    webSocketApi: selectionApi,
    stageName: 'live',
    autoDeploy: true,
  });
  app.synth();
}

/** A client that queues what it receives, so a test can await messages in order. */
interface Client {
  readonly ws: WebSocket;
  next(): Promise<string>;
  readonly closed: Promise<{ code: number; reason: string }>;
}

function client(ws: WebSocket): Client {
  const queue: string[] = [];
  const waiting: Array<(message: string) => void> = [];
  ws.on('message', (data) => {
    const text = String(data);
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else queue.push(text);
  });
  return {
    ws,
    next: () => {
      const queued = queue.shift();
      return queued === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(queued);
    },
    closed: new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    ),
  };
}

/** Opens a connection; resolves to the client, or to the HTTP status that refused the handshake. */
function connect(url: string): Promise<Client | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const connected = client(ws);
    ws.once('open', () => {
      openClients.push(ws);
      resolve(connected);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

async function connected(url: string): Promise<Client> {
  const result = await connect(url);
  if (typeof result === 'number') throw new Error(`handshake refused with ${result}`);
  return result;
}

/** Sends a message to the two-way $default route and returns its echo. */
async function echo(c: Client, message: string): Promise<Record<string, unknown>> {
  c.ws.send(message);
  return JSON.parse(await c.next()) as Record<string, unknown>;
}

async function connectionIdOf(c: Client): Promise<string> {
  return String((await echo(c, JSON.stringify({ action: 'whoami' }))).connectionId);
}

const eventsOf = (functionName: string) =>
  invocations.filter((i) => i.functionArn.endsWith(`:function:${functionName}`)).map((i) => i.event);

/** Waits until a function has been invoked with a matching event (the server invokes $disconnect asynchronously). */
async function invokedWith(
  functionName: string,
  matches: (event: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (;;) {
    const found = eventsOf(functionName).find(matches);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const contextOf = (event: Record<string, unknown>) => event.requestContext as Record<string, unknown>;

/** Each key with the JSON type of its value, recursively (what a consumer's parser checks). */
// Which headers and query parameters arrive depends on the client, not on the gateway.
const shape = (value: unknown) => eventShape(value, (k) => /headers|querystringparameters/i.test(k));

function without<T extends Record<string, unknown>>(value: T, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'local-websocket-'));
  const cdkOut = join(workDir, 'cdk.out');
  synthesize(cdkOut);
  const freePorts = [await portOutsideEphemeralRange(), await portOutsideEphemeralRange()];
  const ports = new Map<string, number>();
  const loaded = loadCloudAssembly(cdkOut, {
    region: REGION,
    accountId: ACCOUNT,
    endpoints: {
      executeApi: (apiId, scheme) => {
        if (!ports.has(apiId)) ports.set(apiId, freePorts[ports.size] ?? 0);
        return executeApiOrigin(scheme, ports.get(apiId) ?? 0);
      },
    },
  });
  model = loaded.model;
  const functions = model.resources
    .filter((r) => r.type === 'AWS::Lambda::Function')
    .map((r) => localFunctionFromResource(r, loaded.assets(r)));
  runtime = createLambdaRuntime(functions, {
    extraEnv: {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
    // Stands in for the AWS SDK that Lambda's Node.js runtime provides.
    nodePath: [resolve('node_modules')],
    log: { write: () => true },
  });
  const invoker: LambdaInvoker = {
    invoke: (functionArn, event) => {
      invocations.push({ functionArn, event: event as Record<string, unknown> });
      return runtime.invoke(functionArn, event);
    },
  };
  const apiIdOf = (name: string) => {
    const id = webSocketApiIds(model).find((apiId) =>
      model.resources.some((r) => r.physicalId === apiId && r.properties.Name === name),
    );
    if (id === undefined) throw new Error(`no WebSocket API named ${name}`);
    return id;
  };
  const serve = async (name: string) => {
    const apiId = apiIdOf(name);
    const server = createWebSocketApiServer({
      model,
      apiId,
      invoker,
      region: REGION,
      accountId: ACCOUNT,
      credentials: CREDENTIALS,
    });
    await server.listen(ports.get(apiId));
    return server;
  };
  chat = await serve('ChatApi');
  selection = await serve('SelectionApi');
  chatUrl = `${chat.url}/dev`;
  selectionUrl = `${selection.url}/live`;
  management = new ApiGatewayManagementApiClient({
    endpoint: `${chat.callbackUrl}/dev`,
    region: REGION,
    credentials: CREDENTIALS,
  });
}, 90_000);

afterEach(() => {
  for (const ws of openClients.splice(0)) ws.close();
});

afterAll(async () => {
  management?.destroy();
  await chat?.close();
  await selection?.close();
  await runtime?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('local WebSocket API: $connect', () => {
  it('refuses the handshake with 401 when the token is missing, without invoking the authorizer', async () => {
    const before = eventsOf('authorizer').length;

    expect(await connect(chatUrl)).toBe(401);
    expect(eventsOf('authorizer')).toHaveLength(before);
  });

  it('refuses with 403 when the policy denies, 401 on an Unauthorized error and 500 on any other error', async () => {
    expect(await connect(`${chatUrl}?token=bad-token`)).toBe(403);
    expect(await connect(`${chatUrl}?token=unauthorized`)).toBe(401);
    expect(await connect(`${chatUrl}?token=crash`)).toBe(500);
  });

  it('refuses the upgrade when the $connect integration answers non-2xx', async () => {
    expect(await connect(`${chatUrl}?token=good-acme&refuse=yes`)).toBe(403);
  });

  it('refuses a stage the API does not have', async () => {
    expect(await connect(`${chat.url}/prod?token=good-acme`)).toBe(403);
  });

  it('accepts a good token and sends the authorizer and $connect events shaped like AWS captures', async () => {
    await connected(`${chatUrl}?token=good-acme`);

    const authorizerEvent = eventsOf('authorizer').at(-1) ?? {};
    expect(shape(authorizerEvent)).toEqual(shape(awsEvent('websocket_connect-authorizer-request.json')));
    expect(authorizerEvent).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/^arn:aws:execute-api:eu-west-1:123456789012:\w+\/dev\/\$connect$/),
      queryStringParameters: { token: 'good-acme' },
      multiValueQueryStringParameters: { token: ['good-acme'] },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', stage: 'dev' },
    });
    // The client's header casing, as AWS forwards it.
    expect(Object.keys(authorizerEvent.headers as object)).toEqual(
      expect.arrayContaining(['Sec-WebSocket-Key', 'Host', 'Upgrade']),
    );

    const connectEvent = eventsOf('connect').at(-1) ?? {};
    const capture = awsEvent('websocket_connect.json');
    const { authorizer, ...connectContext } = contextOf(connectEvent);
    expect(
      shape({
        ...without(connectEvent, 'queryStringParameters', 'multiValueQueryStringParameters'),
        requestContext: connectContext,
      }),
    ).toEqual(shape(capture));
    expect(connectEvent).toMatchObject({ queryStringParameters: { token: 'good-acme' } });
    expect(authorizer).toEqual({
      principalId: 'user-good-acme',
      tenantId: 'acme',
      tier: '2',
      integrationLatency: expect.any(Number),
    });
    expect(contextOf(connectEvent).connectionId).toBe(contextOf(authorizerEvent).connectionId);
  });
});

describe('local WebSocket API: messages', () => {
  it("passes the authorizer's context to every message event of the connection", async () => {
    const c = await connected(`${chatUrl}?token=good-globex`);

    const reply = await echo(c, JSON.stringify({ action: 'anything' }));

    expect(reply.authorizer).toMatchObject({ principalId: 'user-good-globex', tenantId: 'globex' });
  });

  it('routes by $request.body.action, falls back to $default (also for non-JSON) and shapes events like the capture', async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);

    expect(await echo(c, JSON.stringify({ action: 'nosuchroute', n: 1 }))).toMatchObject({
      route: '$default',
      body: '{"action":"nosuchroute","n":1}',
      isBase64Encoded: false,
    });
    expect(await echo(c, 'plain text')).toMatchObject({ route: '$default', body: 'plain text' });

    const event = eventsOf('echo').at(-1) ?? {};
    const { authorizer, ...messageContext } = contextOf(event);
    expect(shape({ ...event, requestContext: messageContext })).toEqual(
      shape(awsEvent('websocket_message.json')),
    );
    expect(authorizer).toMatchObject({ tenantId: 'acme' });
  });

  it('runs a function that posts to another connection through @connections with the management SDK', async () => {
    const sender = await connected(`${chatUrl}?token=good-acme`);
    const receiver = await connected(`${chatUrl}?token=good-acme`);
    const receiverId = await connectionIdOf(receiver);

    sender.ws.send(JSON.stringify({ action: 'sendmessage', to: receiverId, text: 'hello over there' }));

    expect(await receiver.next()).toBe('hello over there');
    // sendmessage is one-way: the next thing the sender hears is the answer to its next message.
    expect(await echo(sender, 'after')).toMatchObject({ route: '$default', body: 'after' });
    expect(contextOf(eventsOf('send').at(-1) ?? {})).toMatchObject({
      routeKey: 'sendmessage',
      eventType: 'MESSAGE',
    });
  });

  it("tells the client 'Internal server error' when the route's integration fails", async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);
    const connectionId = await connectionIdOf(c);

    c.ws.send(JSON.stringify({ action: 'crash' }));

    expect(JSON.parse(await c.next())).toEqual({
      message: 'Internal server error',
      connectionId,
      requestId: expect.any(String),
    });
  });

  it("routes by the API's own selection expression and answers Forbidden when no route matches and there is no $default", async () => {
    const c = await connected(selectionUrl);

    const pinged = await echo(c, JSON.stringify({ meta: { kind: 'ping' } }));
    expect(pinged).toMatchObject({ route: 'ping' });
    const connectionId = pinged.connectionId;
    c.ws.send(JSON.stringify({ meta: { kind: 'pong' } }));
    expect(JSON.parse(await c.next())).toEqual({
      message: 'Forbidden',
      connectionId,
      requestId: expect.any(String),
    });
    c.ws.send('not json');
    expect(JSON.parse(await c.next())).toMatchObject({ message: 'Forbidden' });
  });

  it('closes the connection with 1009 when a message exceeds 128 KB, and invokes $disconnect with that code', async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);
    const connectionId = await connectionIdOf(c);

    c.ws.send('x'.repeat(128 * 1024 + 1));

    expect((await c.closed).code).toBe(1009);
    const event = await invokedWith('disconnect', (e) => contextOf(e).connectionId === connectionId);
    expect(contextOf(event)).toMatchObject({ eventType: 'DISCONNECT', disconnectStatusCode: 1009 });
  });
});

describe('local WebSocket API: $disconnect', () => {
  it('invokes $disconnect with the close code and reason when the client closes', async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);
    const connectionId = await connectionIdOf(c);

    c.ws.close(4000, 'bye now');

    const event = await invokedWith('disconnect', (e) => contextOf(e).connectionId === connectionId);
    expect(contextOf(event)).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4000,
      disconnectReason: 'bye now',
      authorizer: { tenantId: 'acme' },
    });
  });
  it("invokes $disconnect with 1005 and AWS's reason when the client closes without a status code", async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);
    const connectionId = await connectionIdOf(c);

    c.ws.close();

    const event = await invokedWith('disconnect', (e) => contextOf(e).connectionId === connectionId);
    expect(contextOf(event)).toMatchObject({
      disconnectStatusCode: 1005,
      disconnectReason: 'Client-side close frame status not set',
    });
  });
});

describe('local WebSocket API: @connections', () => {
  it('GETs a connection, POSTs to it and DELETEs it (closing it), then answers GoneException', async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);
    const connectionId = await connectionIdOf(c);

    const info = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.LastActiveAt).toBeInstanceOf(Date);
    expect(info.Identity?.SourceIp).toBe('127.0.0.1');

    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'pushed' }));
    expect(await c.next()).toBe('pushed');

    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    await c.closed;
    await invokedWith('disconnect', (e) => contextOf(e).connectionId === connectionId);
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'too late' })),
    ).rejects.toBeInstanceOf(GoneException);
  });

  it('gives a function GoneException for a connection that has disconnected', async () => {
    const sender = await connected(`${chatUrl}?token=good-acme`);
    const leaver = await connected(`${chatUrl}?token=good-acme`);
    const leaverId = await connectionIdOf(leaver);
    leaver.ws.close();
    await invokedWith('disconnect', (e) => contextOf(e).connectionId === leaverId);

    sender.ws.send(JSON.stringify({ action: 'sendmessage', to: leaverId, text: 'anyone there?' }));

    expect(JSON.parse(await sender.next())).toEqual({ failed: 'GoneException', status: 410 });
  });

  it('refuses a PostToConnection over 128 KB with PayloadTooLargeException', async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);
    const connectionId = await connectionIdOf(c);

    await expect(
      management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(128 * 1024 + 1) }),
      ),
    ).rejects.toBeInstanceOf(PayloadTooLargeException);
  });

  it('refuses unsigned requests and requests signed with an unknown secret with 403', async () => {
    const c = await connected(`${chatUrl}?token=good-acme`);
    const connectionId = await connectionIdOf(c);

    const unsigned = await fetch(`${chat.callbackUrl}/dev/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      body: 'hi',
    });
    expect(unsigned.status).toBe(403);
    const impostor = new ApiGatewayManagementApiClient({
      endpoint: `${chat.callbackUrl}/dev`,
      region: REGION,
      credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    await expect(
      impostor.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'hi' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    impostor.destroy();
  });
});

describe('local WebSocket API: connection limits', () => {
  it.each([
    ['idle', { idleTimeoutMs: 100 }],
    ['lifetime', { maxConnectionMs: 100 }],
  ])('closes a connection past its %s limit with 1001 Going away', async (_name, limits) => {
    const apiId = selection.definition.apiId;
    const short = createWebSocketApiServer({
      model,
      apiId,
      invoker: { invoke: async () => ({ statusCode: 200 }) },
      region: REGION,
      accountId: ACCOUNT,
      credentials: CREDENTIALS,
      limits,
    });
    await short.listen(0);
    try {
      const c = await connected(`${short.url}/live`);

      expect(await c.closed).toEqual({ code: 1001, reason: 'Going away' });
    } finally {
      await short.close();
    }
  });
});
