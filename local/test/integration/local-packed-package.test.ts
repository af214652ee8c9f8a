import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  installTarball,
  packPackage,
  type RunningCli,
  startInstalledCli,
  writeFiles,
} from '../support/installed-app';

jest.setTimeout(240_000);

let work: string;
let appDir: string;
const running: RunningCli[] = [];

/**
 * Another team's CDK app, as plain JavaScript (no TypeScript toolchain): a REST API whose function writes to and
 * reads from a DynamoDB table with the SDK it does not bundle, and answers with the `greeting` context value.
 */
const APP_FILES = {
  'package.json': JSON.stringify({
    name: 'someone-elses-app',
    private: true,
    dependencies: { 'aws-cdk-lib': '*', constructs: '*', '@aws-sdk/client-apigatewaymanagementapi': '*' },
    devDependencies: { 'aws-cdk': '*', 'cdk-local-cloud': 'file:../cdk-local-cloud.tgz' },
  }),
  'cdk.json': JSON.stringify({ app: 'node app.js', context: { greeting: 'hello' } }),
  'app.js': `
const { App, Stack, CfnOutput } = require('aws-cdk-lib');
const apigw = require('aws-cdk-lib/aws-apigateway');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2');
const { WebSocketLambdaIntegration } = require('aws-cdk-lib/aws-apigatewayv2-integrations');

const app = new App();
const stack = new Stack(app, app.node.tryGetContext('stackName') || 'GuestbookApp');
const table = new dynamodb.Table(stack, 'Entries', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
const fn = new lambda.Function(stack, 'Sign', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  // \`--app "node app.js shout"\` shouts.
  environment: { TABLE: table.tableName, GREETING: process.argv.includes('shout') ? app.node.tryGetContext('greeting').toUpperCase() : app.node.tryGetContext('greeting') },
  code: lambda.Code.fromInline(\`
const { DynamoDBClient, PutItemCommand, GetItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});
exports.handler = async (event) => {
  const id = event.pathParameters.name;
  await db.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: id } } }));
  const { Item } = await db.send(new GetItemCommand({ TableName: process.env.TABLE, Key: { id: { S: id } } }));
  return { statusCode: 200, body: JSON.stringify({ greeting: process.env.GREETING, stored: Item.id.S }) };
};\`),
});
table.grantReadWriteData(fn);
const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'itest' } });
api.root.addResource('sign').addResource('{name}').addMethod('POST', new apigw.LambdaIntegration(fn));
new CfnOutput(stack, 'Url', { value: api.url });

// A WebSocket API whose function posts back the usual way, with a client the app installed and the package does not.
const echo = new lambda.Function(stack, 'Echo', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline([
    "const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');",
    'exports.handler = async (event) => {',
    '  const { domainName, stage, connectionId } = event.requestContext;',
    "  const client = new ApiGatewayManagementApiClient({ endpoint: 'https://' + domainName + '/' + stage });",
    "  await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'echo: ' + event.body }));",
    '  return { statusCode: 200 };',
    '};',
  ].join('\\n')),
});
const socket = new apigwv2.WebSocketApi(stack, 'Socket', { defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Echo', echo) } });
// As in AWS, posting back needs execute-api:ManageConnections (the local cloud enforces IAM).
socket.grantManageConnections(echo);
new apigwv2.WebSocketStage(stack, 'Live', { webSocketApi: socket, stageName: 'live', autoDeploy: true });
// A client nobody installed: Lambda would provide it, so the start says it is missing.
new lambda.Function(stack, 'Unready', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline("exports.handler = async () => require('@aws-sdk/client-nowhere-to-be-found');"),
});
`,
};

/** The REST API's URL as the command prints it (`http://127.0.0.1:<port>/itest`). */
const API_URL = /http:\/\/127\.0\.0\.1:\d+\/itest\b/;

async function sign(cli: RunningCli, name: string): Promise<{ status: number; body: unknown }> {
  const [url] = await cli.waitFor(API_URL);
  const response = await fetch(`${url}/sign/${name}`, { method: 'POST' });
  return { status: response.status, body: JSON.parse(await response.text()) };
}

function start(args: readonly string[]): RunningCli {
  const cli = startInstalledCli(appDir, args);
  running.push(cli);
  return cli;
}

beforeAll(() => {
  // realpath: macOS's tmpdir is a symlink, and the CLI reports real paths.
  work = realpathSync(mkdtempSync(join(tmpdir(), 'cdk-local-cloud-packed-')));
  appDir = join(work, 'app');
  const tarball = packPackage(work);
  writeFiles(appDir, APP_FILES);
  installTarball(appDir, tarball, [
    'aws-cdk-lib',
    'constructs',
    'aws-cdk',
    '@aws-sdk/client-apigatewaymanagementapi',
  ]);
});

afterEach(async () => {
  for (const cli of running.splice(0)) await cli.stop();
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the package installed from npm pack into an app outside this repository', () => {
  describe('started in the app directory with -c greeting=hola', () => {
    let cli: RunningCli;
    beforeAll(() => {
      // Not start(): this run outlives each test of the group, and its last test stops it.
      cli = startInstalledCli(appDir, ['--port', '0', '-c', 'greeting=hola', '-c', 'stackName=OtherName']);
    });
    afterAll(async () => {
      await cli.stop();
    });

    it("synthesizes cdk.json's app with the app's own CDK CLI, -c over cdk.json's context, and serves it", async () => {
      expect(await sign(cli, 'ada')).toEqual({ status: 200, body: { greeting: 'hola', stored: 'ada' } });
    });

    it("serves a WebSocket function posting to https://<domainName>/<stage> with the app's own SDK client", async () => {
      const [url] = await cli.waitFor(/ws:\/\/127\.0\.0\.1:\d+\/live\b/);
      const client = new WebSocket(url);
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      const received = new Promise<string>((resolve) =>
        client.once('message', (data) => resolve(String(data))),
      );

      client.send('from a stranger');

      try {
        expect(await received).toBe('echo: from a stranger');
      } finally {
        client.terminate();
      }
    });

    it('warns at start of an SDK client a function needs and nobody installed, naming the function', async () => {
      await cli.waitFor(API_URL);

      expect(cli.output()).toMatch(/@aws-sdk\/client-nowhere-to-be-found \(required by [^)]*Unready[^)]*\)/);
    });

    it('stops on Ctrl-C with exit code 0', async () => {
      expect(await cli.stop()).toBe(0);
    });
  });

  it('runs the --app command instead of the one in cdk.json', async () => {
    const cli = start(['--port', '0', '--app', 'node app.js shout']);

    expect(await sign(cli, 'linus')).toEqual({ status: 200, body: { greeting: 'HELLO', stored: 'linus' } });
  });

  it('serves an assembly given with --cdk-out without synthesizing', async () => {
    const cdkOut = join(work, 'assembly');
    execFileSync(
      join(appDir, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--no-notices', '-c', 'greeting=from elsewhere', '--output', cdkOut],
      { cwd: appDir, stdio: 'ignore', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } },
    );
    // An app directory without cdk.json: only the assembly can be served from here.
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);

    const cli = startInstalledCli(appDir, ['--port', '0', '--cdk-out', cdkOut], elsewhere);
    running.push(cli);

    expect(await sign(cli, 'barbara')).toEqual({
      status: 200,
      body: { greeting: 'from elsewhere', stored: 'barbara' },
    });
  });
});
