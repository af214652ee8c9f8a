import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';
import { writeFiles } from '../support/installed-app';

let served: CloudOnApp | undefined;
let cloud: LocalCloud;

/** A package the app installed, which says it came from the app. */
const fromTheApp = (name: string) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: '3.0.0', main: 'index.js' }),
  [`node_modules/${name}/index.js`]: "exports.source = 'the app';",
});

const answer = (expression: string) =>
  `exports.handler = async () => ({ statusCode: 200, body: String(${expression}) });`;

/**
 * An app in os.tmpdir() (no node_modules above it) that installed its own `@aws-sdk/client-dynamodb` and a client
 * the local cloud does not have; its functions use those, one the local cloud has, and one nobody installed.
 */
function synth(cdkOut: string, appDir: string): void {
  writeFiles(appDir, {
    ...fromTheApp('@aws-sdk/client-dynamodb'),
    ...fromTheApp('@aws-sdk/client-only-the-app-has'),
    // An ES module bundle, as NodejsFunction writes with OutputFormat.ESM.
    'esm/index.mjs': [
      "import { source } from '@aws-sdk/client-only-the-app-has';",
      'export const handler = async () => {',
      "  const later = () => import('@aws-sdk/client-nowhere-to-be-found');",
      '  return { statusCode: 200, body: typeof later === "function" ? source : "" };',
      '};',
    ].join('\n'),
  });
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'AppSdk');
  const api = new apigw.RestApi(stack, 'Api');
  const route = (path: string, code: lambda.Code, handler = 'index.handler') => {
    const fn = new lambda.Function(stack, path, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler,
      code,
      functionName: path,
    });
    api.root.addResource(path).addMethod('GET', new apigw.LambdaIntegration(fn));
  };
  route('dynamodb', lambda.Code.fromInline(answer("require('@aws-sdk/client-dynamodb').source")));
  route(
    'sqs',
    lambda.Code.fromInline(
      answer("typeof require('@aws-sdk/client-sqs').SQSClient === 'function' ? 'the local cloud' : 'nobody'"),
    ),
  );
  route('esm', lambda.Code.fromAsset(join(appDir, 'esm')));
  route('missing', lambda.Code.fromInline(answer("require('@aws-sdk/client-nowhere-to-be-found')")));
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-app-sdk', synth);
  cloud = served.cloud;
}, 90_000);

afterAll(async () => {
  await served?.close();
});

const get = async (path: string) => {
  const response = await fetch(`${cloud.restApis[0]?.url}/${path}`);
  return { status: response.status, body: await response.text() };
};

describe("the AWS SDK a function gets, from the app's node_modules first", () => {
  it("gives a function the app's own copy of a client the local cloud also has", async () => {
    expect(await get('dynamodb')).toEqual({ status: 200, body: 'the app' });
  });

  it("gives the local cloud's copy of a client the app did not install", async () => {
    expect(await get('sqs')).toEqual({ status: 200, body: 'the local cloud' });
  });

  it('lets an ES module bundle import a client only the app installed', async () => {
    expect(await get('esm')).toEqual({ status: 200, body: 'the app' });
  });

  it('warns at start, once, naming a client some functions need and neither has, with those functions', () => {
    const warnings = cloud.notices.filter((notice) => notice.includes('@aws-sdk/'));

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('@aws-sdk/client-nowhere-to-be-found (required by esm, missing)');
  });

  it('still fails that function as Lambda would without the client', async () => {
    const { status } = await get('missing');

    expect(status).toBe(502);
  });
});
