import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import WebSocket from 'ws';
import { liveReload } from '../../cli/live-reload';
import { LOCAL_CREDENTIALS, type LocalCloud, startLocalCloud } from '../../local-cloud';

let work: string;
let cdkOut: string;
let cloud: LocalCloud;

interface Variant {
  /** What the function answers: a new value is a new asset (a new hash), nothing else changes. */
  readonly reply: string;
  /** A second REST route: the API's definition changes. */
  readonly otherRoute?: boolean;
  /** A second table: a table to create in the running engine. */
  readonly secondTable?: boolean;
}

/** Synthesizes an app with a table, a user pool, a REST API behind an API key and a WebSocket API, one function. */
function synth({ reply, otherRoute = false, secondTable = false }: Variant): void {
  const code = join(work, `code-${reply}`);
  mkdirSync(code, { recursive: true });
  writeFileSync(
    join(code, 'index.js'),
    `exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(reply)} });`,
  );
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'ReloadApp');
  new dynamodb.Table(stack, 'Items', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  if (secondTable)
    new dynamodb.Table(stack, 'More', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  new cognito.UserPool(stack, 'Pool').addClient('Client');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(code),
  });
  // Through an alias of `currentVersion`, whose logical id carries a hash of the code (as CDK apps often do).
  const live = new lambda.Alias(stack, 'LiveAlias', { aliasName: 'live', version: fn.currentVersion });
  const api = new apigw.LambdaRestApi(stack, 'Api', { handler: live, proxy: false });
  api.root.addResource('hello').addMethod('GET', undefined, { apiKeyRequired: true });
  if (otherRoute) api.root.addResource('other').addMethod('GET', undefined, { apiKeyRequired: true });
  api.addUsagePlan('Plan').addApiStage({ stage: api.deploymentStage });
  const ws = new apigwv2.WebSocketApi(stack, 'Live', {
    defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Echo', fn), returnResponse: true },
  });
  new apigwv2.WebSocketStage(stack, 'Dev', { webSocketApi: ws, stageName: 'dev', autoDeploy: true });
  app.synth();
}

const physicalIdOf = (type: string) => cloud.model.resources.find((r) => r.type === type)?.physicalId ?? '';
const endpointOf = (kind: string) => cloud.endpoints.find((e) => e.kind === kind)?.url ?? '';

let apiKey: string;
let socket: WebSocket;
const nextReply = (): Promise<string> =>
  new Promise((resolve) => socket.once('message', (data) => resolve(String(data))));

const get = async (path: string) => {
  const response = await fetch(`${cloud.restApis[0]?.url}${path}`, { headers: { 'x-api-key': apiKey } });
  return { status: response.status, body: await response.text() };
};

const dynamo = () =>
  new DynamoDBClient({
    endpoint: endpointOf('DynamoDB'),
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'local-cloud-reload-'));
  cdkOut = join(work, 'cdk.out');
  synth({ reply: 'v1' });
  cloud = await startLocalCloud({ cdkOut, port: 0, log: { write: () => true } });

  // State of every kind the reload must keep: an item, a user and the pool's signing key, an API key created
  // at run time, an open WebSocket connection.
  const client = dynamo();
  await client.send(
    new PutItemCommand({
      TableName: physicalIdOf('AWS::DynamoDB::Table'),
      Item: { id: { S: 'kept' }, note: { S: 'written before the reload' } },
    }),
  );
  client.destroy();
  cloud.identity.pool(physicalIdOf('AWS::Cognito::UserPool')).createUser({ username: 'ada', attributes: [] });
  const control = new APIGatewayClient({
    endpoint: endpointOf('API Gateway control plane'),
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const key = await control.send(new CreateApiKeyCommand({ name: 'runtime', enabled: true }));
  await control.send(
    new CreateUsagePlanKeyCommand({
      usagePlanId: physicalIdOf('AWS::ApiGateway::UsagePlan'),
      keyId: key.id,
      keyType: 'API_KEY',
    }),
  );
  control.destroy();
  apiKey = key.value ?? '';
  socket = new WebSocket(endpointOf('WebSocket API'));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
}, 90_000);

afterAll(async () => {
  socket?.terminate();
  await cloud?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Everything written before the first reload, as it reads now. */
async function state() {
  const client = dynamo();
  const item = await client.send(
    new GetItemCommand({ TableName: physicalIdOf('AWS::DynamoDB::Table'), Key: { id: { S: 'kept' } } }),
  );
  client.destroy();
  const poolId = physicalIdOf('AWS::Cognito::UserPool');
  return {
    note: item.Item?.note?.S,
    user: cloud.identity.pool(poolId).requireUser('ada').username,
    signingKey: cloud.identity.jwks(poolId),
    socketOpen: socket.readyState === WebSocket.OPEN,
  };
}

let before: Awaited<ReturnType<typeof state>>;

describe('reloading the local cloud after a re-synth', () => {
  it('reports nothing changed when the assembly is the same', async () => {
    before = await state();
    expect(before).toMatchObject({ note: 'written before the reload', user: 'ada', socketOpen: true });
    expect(await cloud.reload()).toEqual({ templateChanged: false, changedFunctions: [], reloaded: [] });
  });

  it('reloads only the function whose code changed, keeping items, users, signing keys, API keys and sockets', async () => {
    expect(await get('/hello')).toEqual({ status: 200, body: 'v1' });
    synth({ reply: 'v2' });
    const result = await cloud.reload();
    expect(result).toEqual({ templateChanged: false, changedFunctions: [expect.any(String)], reloaded: [] });
    expect(await get('/hello')).toEqual({ status: 200, body: 'v2' });
    expect(await state()).toEqual(before);
    // The connection opened before the reload reaches the new code.
    const reply = nextReply();
    socket.send('hello?');
    expect(await reply).toBe('v2');
  });

  it('serves a route added to an API on the same port, with the data kept', async () => {
    const url = cloud.restApis[0]?.url;
    expect((await get('/other')).status).toBe(403); // API Gateway's answer for a path it does not have
    synth({ reply: 'v2', otherRoute: true });
    const result = await cloud.reload();
    expect(result.templateChanged).toBe(false);
    expect(result.changedFunctions).toEqual([]);
    expect(result.reloaded).toContainEqual(expect.stringMatching(/^rest-api: API .* re-read$/));
    expect(cloud.restApis[0]?.url).toBe(url);
    expect(await get('/other')).toEqual({ status: 200, body: 'v2' });
    expect(await state()).toEqual(before);
  });

  it('creates a table added to the template in the same engine, the others keeping their items', async () => {
    synth({ reply: 'v2', otherRoute: true, secondTable: true });
    const result = await cloud.reload();
    expect(result.templateChanged).toBe(false);
    const created = cloud.model.resources.filter((r) => r.type === 'AWS::DynamoDB::Table').at(-1)?.physicalId;
    expect(result.reloaded).toContain(`dynamodb: table ${created} created`);
    const client = dynamo();
    await client.send(new PutItemCommand({ TableName: created, Item: { id: { S: 'new' } } }));
    client.destroy();
    expect(await state()).toEqual(before);
  });
});

describe('watching the app (the CLI path)', () => {
  it('keeps the last version serving when a synth fails, says so once, and serves the next good one', async () => {
    const appDir = join(work, 'app');
    mkdirSync(join(appDir, 'src'), { recursive: true });
    writeFileSync(join(appDir, 'cdk.json'), JSON.stringify({ app: 'none', watch: { include: ['src/**'] } }));
    writeFileSync(join(appDir, 'src', 'reply.txt'), 'v2');
    const failures: string[] = [];
    const steps: string[] = [];
    let seen: () => void = () => undefined;
    const settled = () => new Promise<void>((resolve) => (seen = resolve));
    let attempt = 0;
    const watcher = liveReload({
      request: { appDir, outdir: cdkOut, context: {} },
      synth: async () => {
        attempt += 1;
        const reply = readFileSync(join(appDir, 'src', 'reply.txt'), 'utf8');
        if (reply.startsWith('broken')) throw new Error('cdk synth exited with 1: SyntaxError in the app');
        synth({ reply, otherRoute: true, secondTable: true });
      },
      cloud: () => cloud,
      restart: async () => {
        throw new Error('no restart expected');
      },
      step: (line) => {
        steps.push(line);
        seen();
      },
      fail: (text) => {
        failures.push(text);
        seen();
      },
    });
    try {
      let done = settled();
      writeFileSync(join(appDir, 'src', 'reply.txt'), 'broken');
      await done;
      expect(failures).toHaveLength(1);
      expect(failures[0]).toContain('SyntaxError in the app');
      expect(await get('/hello')).toEqual({ status: 200, body: 'v2' });

      done = settled();
      writeFileSync(join(appDir, 'src', 'reply.txt'), 'broken again');
      await done;
      expect(failures).toHaveLength(1); // the same failure is not printed twice
      expect(steps.at(-1)).toContain('still failing');

      done = settled();
      writeFileSync(join(appDir, 'src', 'reply.txt'), 'v3');
      await done;
      expect(steps.at(-1)).toMatch(/reloaded functions/);
      expect(await get('/hello')).toEqual({ status: 200, body: 'v3' });
      expect(attempt).toBe(3);
      expect(await state()).toEqual(before);
    } finally {
      watcher.close();
    }
  });
});
