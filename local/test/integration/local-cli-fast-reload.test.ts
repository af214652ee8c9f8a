import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadBundleRecords } from '../../cli/bundle-records';
import type { CloudOutputs } from '../../cli/cloud-outputs';
import { portOutsideEphemeralRange as freePort } from '../../loopback-server';

/*
 * `--watch`'s fast path, as a person meets it: the command line as a child process on a small CDK app of our own
 * (a plain-JavaScript app with two NodejsFunctions built from .ts entries behind a REST API), synthesized by the
 * command line itself with the app's CDK CLI. An edit to one entry is served from a bundle rebuilt with the esbuild
 * command the synth ran, before the full synth that follows it is served.
 */

const CLI = resolve(__dirname, '../../cli.ts');
const REPO_MODULES = resolve(__dirname, '../../../node_modules');
const TSX = pathToFileURL(join(REPO_MODULES, 'tsx', 'dist', 'loader.mjs')).href;

const APP = `
const { App, Stack } = require('aws-cdk-lib');
const apigw = require('aws-cdk-lib/aws-apigateway');
const lambda = require('aws-cdk-lib/aws-lambda');
const { NodejsFunction } = require('aws-cdk-lib/aws-lambda-nodejs');
const { join } = require('node:path');
const app = new App();
const stack = new Stack(app, 'FastApp');
const fn = (id, name, entry, bundling) => new NodejsFunction(stack, id, {
  functionName: name,
  entry: join(__dirname, entry),
  runtime: lambda.Runtime.NODEJS_24_X,
  depsLockFilePath: join(__dirname, 'package-lock.json'),
  bundling,
});
const api = new apigw.RestApi(stack, 'Api', { restApiName: 'FastApi' });
api.root.addResource('a').addMethod('GET', new apigw.LambdaIntegration(fn('AFn', 'fast-a', 'a.ts')));
api.root.addResource('b').addMethod('GET', new apigw.LambdaIntegration(fn('BFn', 'fast-b', 'b.ts')));
// A bundle that is more than its esbuild run: not replayed.
fn('HookedFn', 'fast-hooked', 'hooked.ts', {
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input, output) => [\`echo hooked > \${output}/hooked.txt\`],
  },
});
`;

const entryA = (version: string) => `
import { label } from './label';
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: label('${version}') });
`;

/** B counts its invocations in its module: the count goes on only while its environment is kept. */
const ENTRY_B = `
let count = 0;
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: String(++count) });
`;

let app: string;
let child: ChildProcess;
let output = '';
let exited: Promise<number | null>;

async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}; the command printed:\n${output}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

let apiUrl: string;
const get = async (path: string): Promise<string> => (await fetch(`${apiUrl}${path}`)).text();

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'local-fast-reload-'));
  // The app uses this repository's installation (aws-cdk-lib, the CDK CLI, esbuild), as an app of its own would.
  symlinkSync(REPO_MODULES, join(app, 'node_modules'), 'dir');
  writeFileSync(join(app, 'package-lock.json'), '{ "lockfileVersion": 3 }\n');
  writeFileSync(join(app, 'cdk.json'), `${JSON.stringify({ app: 'node app.js' })}\n`);
  writeFileSync(join(app, 'app.js'), APP);
  writeFileSync(
    join(app, 'label.ts'),
    `export const label = (version: string): string => \`a-\${version}\`;\n`,
  );
  writeFileSync(join(app, 'a.ts'), entryA('v1'));
  writeFileSync(join(app, 'b.ts'), ENTRY_B);
  writeFileSync(join(app, 'hooked.ts'), 'export const handler = async (): Promise<string> => "hooked";\n');
  const adminPort = await freePort();
  const outputsFile = join(app, 'outputs.json');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  child = spawn(
    process.execPath,
    ['--import', TSX, CLI, '--port', '0', '--admin-port', String(adminPort), '--outputs-file', outputsFile],
    { cwd: app, env },
  );
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  exited = new Promise((done) => child.on('exit', (code) => done(code)));
  await eventually(async () => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/_local/health`).catch(() => undefined);
    return response?.status === 200 ? true : undefined;
  }, 'the local cloud to be ready');
  const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as CloudOutputs;
  const url = outputs.apis[0]?.url;
  if (url === undefined) throw new Error(`no API in the outputs file: ${JSON.stringify(outputs)}`);
  apiUrl = url.replace(/\/$/, '');
}, 240_000);

afterAll(async () => {
  child.kill('SIGTERM');
  await exited;
  rmSync(app, { recursive: true, force: true });
});

describe('--watch: an edit to a NodejsFunction entry', () => {
  it('records how the synth bundled each function: its esbuild arguments and its inputs, by asset directory', () => {
    const records = loadBundleRecords(join(app, 'cdk.out'));
    // Not the function whose afterBundling hook writes into its bundle directory.
    expect(
      records
        .map((record) =>
          record.inputs
            .find((input) => /\/(a|b|hooked)\.ts$/.test(input))
            ?.split('/')
            .pop(),
        )
        .sort(),
    ).toEqual(['a.ts', 'b.ts']);
    const a = records.find((record) => record.inputs.some((input) => input.endsWith('a.ts')));
    expect(a?.inputs.some((input) => input.endsWith('label.ts'))).toBe(true);
    expect(a?.args).toContain('--bundle');
    expect(a?.assetDir).toMatch(/cdk\.out\/asset\.[0-9a-f]+$/);
  });

  it('is served from a rebuilt bundle before the full synth, reloading only that function and keeping the others', async () => {
    expect(await get('/a')).toBe('a-v1');
    expect(await get('/b')).toBe('1');
    expect(await get('/b')).toBe('2');

    writeFileSync(join(app, 'a.ts'), entryA('v2'));
    await eventually(
      async () => ((await get('/a')) === 'a-v2' ? true : undefined),
      'the edited code to be served',
    );
    const fullSynth = /a\.ts changed: (reloaded|nothing served changed)[^\n]*/;
    await eventually(() => (fullSynth.test(output) ? true : undefined), "the full synth's reload line");

    const fastLine = /fast reload: a\.ts → ([^\n]*)/.exec(output);
    expect(fastLine?.[1]).toMatch(/^fast-a \(\d+\.\d s\); full synth following$/);
    expect(output.indexOf(fastLine?.[0] ?? '')).toBeLessThan(output.search(fullSynth));
    // B was neither rebuilt nor reloaded, by the fast path or by the synth: its environment counts on.
    expect(output).not.toMatch(/reloaded[^\n]*fast-b/);
    expect(await get('/b')).toBe('3');
    expect(await get('/a')).toBe('a-v2');
  }, 240_000);

  it('rebuilds the function whose entry imports a changed module', async () => {
    writeFileSync(
      join(app, 'label.ts'),
      `export const label = (version: string): string => \`label-\${version}\`;\n`,
    );
    await eventually(
      async () => ((await get('/a')) === 'label-v2' ? true : undefined),
      'the changed import to be served',
    );
    expect(output).toMatch(/fast reload: label\.ts → fast-a /);
    expect(await get('/b')).toBe('4');
  }, 240_000);
});
