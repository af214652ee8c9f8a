import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  createLambdaRuntime,
  type LambdaRuntime,
  type LocalFunction,
  localFunctionFromResource,
} from '../../lambda';
import type { LocalResource } from '../../model';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

let workDir: string;
let functions: LocalFunction[];
let runtime: LambdaRuntime;
const lines: string[] = [];

/**
 * Synthesizes a small app with the three ways CDK ships Node.js code — an asset directory, inline code and
 * an esbuild bundle (CJS and ESM) — and turns each function into a LocalFunction the way the local cloud
 * does: properties from the template, code from the asset's `aws:asset:path`.
 */
function synthesizeApp(): LocalFunction[] {
  const code = join(workDir, 'handwritten');
  mkdirSync(code);
  writeFileSync(
    join(code, 'main.js'),
    'exports.run = async (event, context) => ({ greeting: process.env.GREETING, name: context.functionName, event });',
  );
  const entry = join(workDir, 'bundled', 'entry.ts');
  mkdirSync(join(workDir, 'bundled'));
  // NodejsFunction runs `npx --no-install esbuild` in the lock file's directory: lend it the project's esbuild.
  writeFileSync(join(workDir, 'bundled', 'package-lock.json'), '{}');
  symlinkSync(resolve('node_modules'), join(workDir, 'bundled', 'node_modules'), 'dir');
  writeFileSync(
    join(workDir, 'bundled', 'format.ts'),
    "export const shout = (text: string): string => text.toUpperCase() + '!';",
  );
  writeFileSync(
    entry,
    [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { shout } from './format';",
      'export const handler = async (event: { text: string }) =>',
      '  ({ shouted: shout(event.text), sdk: typeof DynamoDBClient, region: process.env.AWS_REGION });',
    ].join('\n'),
  );

  const outdir = join(workDir, 'cdk.out');
  // The CLI turns asset metadata on; a bare App needs it asked for.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'LambdaApp', { env: { account: ACCOUNT, region: REGION } });
  new lambda.Function(stack, 'FromAsset', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'main.run',
    code: lambda.Code.fromAsset(code),
    memorySize: 256,
    timeout: Duration.seconds(10),
    environment: { GREETING: 'hello' },
  });
  new lambda.Function(stack, 'Inline', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ inline: true });'),
  });
  const bundling = { depsLockFilePath: join(workDir, 'bundled', 'package-lock.json') };
  new NodejsFunction(stack, 'BundledCjs', { entry, runtime: lambda.Runtime.NODEJS_24_X, ...bundling });
  new NodejsFunction(stack, 'BundledEsm', {
    entry,
    runtime: lambda.Runtime.NODEJS_24_X,
    ...bundling,
    bundling: { format: OutputFormat.ESM },
  });
  app.synth();

  const template = JSON.parse(readFileSync(join(outdir, 'LambdaApp.template.json'), 'utf8')) as {
    Resources: Record<string, TemplateResource>;
  };
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const local: LocalResource = {
        stackName: 'LambdaApp',
        logicalId,
        type: resource.Type,
        physicalId: logicalId,
        // The template's only intrinsic here is the role's ARN, which the runtime does not read.
        properties: resource.Properties ?? {},
        attributes: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}` },
      };
      return localFunctionFromResource(
        local,
        typeof assetPath === 'string' ? resolve(outdir, assetPath) : undefined,
      );
    });
}

function arnOf(logicalIdPrefix: string): string {
  const found = functions.find((fn) => fn.functionName.startsWith(logicalIdPrefix));
  if (found === undefined) throw new Error(`no function ${logicalIdPrefix} in the synthesized app`);
  return found.arn;
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'local-lambda-cdk-'));
  functions = synthesizeApp();
  runtime = createLambdaRuntime(functions, {
    extraEnv: { AWS_REGION: REGION },
    log: { write: (text: string) => lines.push(text) },
  });
}, 60_000);

afterAll(async () => {
  await runtime.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the local Lambda runtime with a synthesized CDK app', () => {
  it("runs a Code.fromAsset function from its cdk.out asset with the template's handler and environment", async () => {
    const result = await runtime.invoke(arnOf('FromAsset'), { n: 1 });

    expect(result).toEqual({ greeting: 'hello', name: expect.stringMatching(/^FromAsset/), event: { n: 1 } });
    expect(functions.find((fn) => fn.arn === arnOf('FromAsset'))).toMatchObject({
      memorySize: 256,
      timeout: 10,
    });
  });

  it('runs a Code.fromInline function', async () => {
    expect(await runtime.invoke(arnOf('Inline'), {})).toEqual({ inline: true });
  });

  it.each(['BundledCjs', 'BundledEsm'])(
    'runs the esbuild bundle of a NodejsFunction (%s) with the SDK it leaves external',
    async (logicalIdPrefix) => {
      expect(await runtime.invoke(arnOf(logicalIdPrefix), { text: 'ship it' })).toEqual({
        shouted: 'SHIP IT!',
        sdk: 'function',
        region: REGION,
      });
    },
  );
});
