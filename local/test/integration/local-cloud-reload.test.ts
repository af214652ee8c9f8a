import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type LocalCloud, startLocalCloud } from '../../local-cloud';

let work: string;
let cdkOut: string;
let cloud: LocalCloud;

/** Synthesizes a one-route app whose function answers `reply`; `extraRoute` changes the template itself. */
function synth(reply: string, extraRoute = false): void {
  const code = join(work, `code-${reply}`);
  mkdirSync(code, { recursive: true });
  writeFileSync(
    join(code, 'index.js'),
    `exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(reply)} });`,
  );
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'ReloadApp');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(code),
  });
  const api = new apigw.LambdaRestApi(stack, 'Api', { handler: fn, proxy: false });
  api.root.addResource('hello').addMethod('GET');
  if (extraRoute) api.root.addResource('other').addMethod('GET');
  app.synth();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'local-cloud-reload-'));
  cdkOut = join(work, 'cdk.out');
  synth('v1');
  cloud = await startLocalCloud({ cdkOut, port: 0, log: { write: () => true } });
});

afterAll(async () => {
  await cloud.close();
  rmSync(work, { recursive: true, force: true });
});

const hello = async () => (await fetch(`${cloud.restApis[0]?.url}/hello`)).text();

describe('reloading the local cloud after a re-synth', () => {
  it('reports nothing changed when the assembly is the same', async () => {
    expect(await cloud.reload()).toEqual({ templateChanged: false, changedFunctions: [] });
  });

  it('swaps the bundle of a function whose code changed, without a restart', async () => {
    expect(await hello()).toBe('v1');
    synth('v2');
    const result = await cloud.reload();
    expect(result.templateChanged).toBe(false);
    expect(result.changedFunctions).toHaveLength(1);
    expect(await hello()).toBe('v2');
  });

  it('asks for a restart when the template changed beyond function code', async () => {
    synth('v2', true);
    expect(await cloud.reload()).toEqual({ templateChanged: true, changedFunctions: [] });
  });
});
