import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { CloudOutputs } from '../../cli/cloud-outputs';
import { EXIT } from '../../cli/exit-codes';
import { portOutsideEphemeralRange as freePort } from '../../loopback-server';
import type { RequestRecord } from '../../request-records';

/*
 * The command line as a person and a script meet it: run as a child process (through tsx, as from source) against a
 * small app of our own — a REST API with a TOKEN authorizer over a function that logs at INFO and WARN, a table, a
 * queue, a user pool, and two things nothing serves locally: an S3 bucket and a Python function.
 */

const CLI = resolve(__dirname, '../../cli.ts');
const REPO_MODULES = resolve(__dirname, '../../../node_modules');
/** tsx's loader by absolute URL: `--import tsx` would be resolved from the child's working directory. */
const TSX = pathToFileURL(join(REPO_MODULES, 'tsx', 'dist', 'loader.mjs')).href;

let work: string;
let cdkOut: string;

function synthApp(): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'CliApp');
  const fn = new lambda.Function(stack, 'HelloFn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      `exports.handler = async () => { console.log('info-marker'); console.warn('warn-marker'); return { statusCode: 200, body: 'hello' }; };`,
    ),
  });
  const authorizerFn = new lambda.Function(stack, 'AuthFn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      `exports.handler = async (event) => ({ principalId: 'me', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] } });`,
    ),
  });
  const api = new apigw.RestApi(stack, 'HelloApi', { restApiName: 'HelloApi' });
  api.root.addResource('hello').addMethod('GET', new apigw.LambdaIntegration(fn), {
    authorizer: new apigw.TokenAuthorizer(stack, 'Authorizer', {
      handler: authorizerFn,
      resultsCacheTtl: Duration.minutes(5),
    }),
  });
  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const queue = new sqs.Queue(stack, 'Jobs');
  const pool = new cognito.UserPool(stack, 'Users');
  pool.addClient('WebClient');
  new appconfig.CfnApplication(stack, 'Setting', { name: 'settings' });
  new lambda.Function(stack, 'PythonFn', {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return 1\n'),
  });
  new CfnOutput(stack, 'TableName', { value: table.tableName });
  new CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
  app.synth();
}

/** A running `cdk-local-cloud`, its output so far, and how it ended. */
interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

function runCli(args: readonly string[], cwd = work): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Jest workers force colours on; the CLI must choose plain text itself, its stdout being a pipe.
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `check` until it returns a value (the machine is shared and slow: generous, never a timing assertion). */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function stop(cli: CliProcess): Promise<number | null> {
  cli.child.kill('SIGTERM');
  return cli.exited;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'local-cli-'));
  cdkOut = join(work, 'cdk.out');
  synthApp();
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('cdk-local-cloud serving an app', () => {
  let cli: CliProcess;
  let adminUrl: string;
  let outputsFile: string;

  beforeAll(async () => {
    const adminPort = await freePort();
    adminUrl = `http://127.0.0.1:${adminPort}`;
    outputsFile = join(work, 'outputs.json');
    cli = runCli([
      '--cdk-out',
      cdkOut,
      '--port',
      '0',
      '--admin-port',
      String(adminPort),
      '--outputs-file',
      outputsFile,
    ]);
    await eventually(async () => {
      const response = await fetch(`${adminUrl}/_local/health`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    }, `the health route at ${adminUrl} to answer 200 (stdout: ${cli.stdout()} stderr: ${cli.stderr()})`);
  }, 120_000);

  afterAll(async () => {
    expect(await stop(cli)).toBe(EXIT.ok);
  });

  const outputs = (): CloudOutputs => JSON.parse(readFileSync(outputsFile, 'utf8')) as CloudOutputs;

  it('reports every endpoint up on its health route, as JSON', async () => {
    const response = await fetch(`${adminUrl}/_local/health`);
    const health = (await response.json()) as {
      status: string;
      phase: string;
      services: { kind: string; up: boolean }[];
    };
    expect(health.status).toBe('ok');
    expect(health.phase).toBe('ready');
    expect(health.services.map((service) => service.kind)).toEqual(
      expect.arrayContaining(['REST API', 'DynamoDB', 'SQS', 'Cognito']),
    );
    expect(health.services.every((service) => service.up)).toBe(true);
  });

  it('writes the outputs file: API URL, issuer and JWKS, pool and client ids, table, queue, stack outputs', async () => {
    const written = outputs();
    const api = written.apis.find((entry) => entry.kind === 'REST API');
    expect(api?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod$/);
    expect(written.userPools).toHaveLength(1);
    const [pool] = written.userPools;
    expect(pool?.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/us-east-1_\w+$/);
    expect(pool?.jwksUrl).toBe(`${pool?.issuer}/.well-known/jwks.json`);
    expect(pool?.clients).toHaveLength(1);
    const jwks = await fetch(pool?.jwksUrl ?? '');
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    const [table] = written.tables;
    const [queue] = written.queues;
    expect(written.stackOutputs.CliApp?.TableName).toBe(table?.tableName);
    expect(written.stackOutputs.CliApp?.QueueUrl).toBe(queue?.queueUrl);
    expect(queue?.queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/.+/);
    expect(written.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('prints the stack outputs at start, resolved to local values, with the keys the outputs file has', async () => {
    const written = outputs();
    const printed = await eventually(
      () => (cli.stdout().includes('CliApp.QueueUrl = ') ? cli.stdout() : undefined),
      'the stack outputs in the ready banner',
    );
    for (const [key, value] of Object.entries(written.stackOutputs.CliApp ?? {})) {
      expect(printed).toContain(`CliApp.${key} = ${value}\n`);
    }
    expect(Object.keys(written.stackOutputs.CliApp ?? {})).toEqual(
      expect.arrayContaining(['QueueUrl', 'TableName']),
    );
  });

  it('prints one line per request, with the function and the authorizer cache miss, then hit', async () => {
    const url = outputs().apis.find((entry) => entry.kind === 'REST API')?.url;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${url}/hello`, { headers: { Authorization: 'allow-me' } });
      expect(await response.text()).toBe('hello');
    }
    const lines = await eventually(() => {
      const found = cli
        .stdout()
        .split('\n')
        .filter((line) => line.includes('GET     /prod/hello'));
      return found.length >= 2 ? found : undefined;
    }, 'two request lines');
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}GET {5}\/prod\/hello +200 {2}\s*\d+ ms {2}HelloApi → HelloFn {2}auth miss$/,
    );
    expect(lines[1]).toMatch(/HelloApi → HelloFn {2}auth hit$/);
  });

  it('lists the latest requests as JSON on its requests route, with the authorizer cache outcome, newest last', async () => {
    const url = outputs().apis.find((entry) => entry.kind === 'REST API')?.url;
    await fetch(`${url}/hello`, { headers: { Authorization: 'allow-me' } }).then((response) =>
      response.text(),
    );

    const response = await fetch(`${adminUrl}/_local/requests?limit=1`);
    const { requests } = (await response.json()) as { requests: RequestRecord[] };
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      kind: 'REST API',
      api: 'HelloApi',
      method: 'GET',
      path: '/prod/hello',
      status: 200,
      authorizer: { cache: 'hit' },
    });
  });

  it('refuses a requests limit that is not a positive integer with 400 saying so', async () => {
    const response = await fetch(`${adminUrl}/_local/requests?limit=-3`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(
      "limit must be a positive integer, not '-3'",
    );
  });

  it("shows a function's WARN line but not its INFO line nor Lambda's START/END/REPORT", async () => {
    await eventually(() => (cli.stdout().includes('warn-marker') ? true : undefined), 'the WARN line');
    expect(cli.stdout()).toMatch(/\[HelloFn\] .*\tWARN\twarn-marker/);
    expect(cli.stdout()).not.toContain('info-marker');
    expect(cli.stdout()).not.toContain('START RequestId');
    expect(cli.stdout()).not.toContain('REPORT RequestId');
  });

  it('prints plain text, no colour codes, when its output is not a terminal', () => {
    expect(cli.stdout()).not.toContain('\u001b[');
  });

  it('prints the environment for SDK clients with --print-env, from the running cloud, and exits 0', async () => {
    const port = new URL(adminUrl).port;
    const printer = runCli(['--print-env', '--admin-port', port]);
    expect(await printer.exited).toBe(EXIT.ok);
    const lines = printer.stdout().trim().split('\n');
    expect(lines).toContain(`export AWS_ENDPOINT_URL_DYNAMODB='${outputs().env.AWS_ENDPOINT_URL_DYNAMODB}'`);
    expect(lines).toContain("export AWS_REGION='us-east-1'");
    expect(lines).toContain(`export AWS_ENDPOINT_URL_S3='${outputs().env.AWS_ENDPOINT_URL_S3}'`);
    expect(lines.every((line) => /^export AWS_[A-Z0-9_]+='[^']*'$/.test(line))).toBe(true);
  });
});

describe('cdk-local-cloud options and exit codes', () => {
  it('shows every line a function writes with --verbose', async () => {
    const adminPort = await freePort();
    const cli = runCli(['--cdk-out', cdkOut, '--port', '0', '--admin-port', String(adminPort), '--verbose']);
    try {
      const outputsRoute = `http://127.0.0.1:${adminPort}/_local/outputs`;
      const written = await eventually(async () => {
        const response = await fetch(outputsRoute).catch(() => undefined);
        return response?.ok ? ((await response.json()) as CloudOutputs) : undefined;
      }, 'the outputs route');
      const url = written.apis.find((entry) => entry.kind === 'REST API')?.url;
      await fetch(`${url}/hello`, { headers: { Authorization: 'allow-me' } });
      await eventually(() => (cli.stdout().includes('REPORT RequestId') ? true : undefined), 'a REPORT line');
      expect(cli.stdout()).toMatch(/\[HelloFn\] .*\tINFO\tinfo-marker/);
      expect(cli.stdout()).toMatch(/\[HelloFn\] START RequestId: /);
    } finally {
      expect(await stop(cli)).toBe(EXIT.ok);
    }
  }, 120_000);

  it('exits 4 with --strict when the app declares resources nothing serves locally (an AppConfig application, a Python function)', async () => {
    const cli = runCli(['--cdk-out', cdkOut, '--port', '0', '--admin-port', '0', '--strict']);
    expect(await cli.exited).toBe(EXIT.notEmulated);
    expect(cli.stderr()).toMatch(
      /--strict: no local service emulates .*AWS::AppConfig::Application \(CliApp\/Setting\w*\)/,
    );
    expect(cli.stderr()).toMatch(/AWS::Lambda::Function \(CliApp\/PythonFn\w+\)/);
    expect(cli.stderr()).not.toContain('AWS::IAM::Role');
  }, 120_000);

  it('exits 2 on an unknown option, saying which', async () => {
    const cli = runCli(['--no-such-option']);
    expect(await cli.exited).toBe(EXIT.usage);
    expect(cli.stderr()).toContain("Unknown option '--no-such-option'");
    expect(cli.stderr()).not.toMatch(/\n\s+at /);
  });

  it('exits 5 from --print-env when no local cloud is running there', async () => {
    const cli = runCli(['--print-env', '--admin-port', String(await freePort())]);
    expect(await cli.exited).toBe(EXIT.startFailed);
    expect(cli.stderr()).toMatch(/no local cloud answers at http:\/\/127\.0\.0\.1:\d+\/_local\/env/);
  });

  it("exits 3 when the app does not synthesize, printing the CDK CLI's output once", async () => {
    // An app directory of its own, with the repository's CDK CLI, as an app that installed aws-cdk would have.
    const appDir = join(work, 'broken-app');
    mkdirSync(join(appDir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(REPO_MODULES, '.bin', 'cdk'), join(appDir, 'node_modules', '.bin', 'cdk'));
    // The marker is joined at run time: the CDK CLI also echoes the failed command, which must not count.
    const app = `node -e "console.error('synth-broke' + '-marker'); process.exit(1)"`;
    const cli = runCli(['--app', app, '--port', '0', '--admin-port', '0'], appDir);
    expect(await cli.exited).toBe(EXIT.synthFailed);
    const all = cli.stdout() + cli.stderr();
    expect(all.match(/synth-broke-marker/g)).toHaveLength(1);
  }, 120_000);
});
