import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

let served: CloudOnApp | undefined;
let cdkOut: string;
let cloud: LocalCloud;

/**
 * An app whose NodejsFunctions leave `@aws-sdk/*` out of the bundle (CDK's default for nodejs24.x), synthesized
 * into os.tmpdir(): no node_modules above its cdk.out, so the SDK can only come from the Lambda runtime.
 */
function synth(cdkOut: string, work: string): void {
  const source = join(work, 'src');
  mkdirSync(source);
  // NodejsFunction runs `npx --no-install esbuild` in the lock file's directory: lend it the project's esbuild.
  writeFileSync(join(source, 'package-lock.json'), '{}');
  symlinkSync(resolve('node_modules'), join(source, 'node_modules'), 'dir');
  const entry = join(source, 'list-tables.ts');
  writeFileSync(
    entry,
    [
      "import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';",
      'export const handler = async () => {',
      '  const { TableNames } = await new DynamoDBClient({}).send(new ListTablesCommand({}));',
      '  return { statusCode: 200, body: JSON.stringify({ tables: TableNames }) };',
      '};',
    ].join('\n'),
  );

  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'SdkApp');
  new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const api = new apigw.RestApi(stack, 'Api');
  const bundling = { depsLockFilePath: join(source, 'package-lock.json') };
  for (const [path, format] of [
    ['cjs', OutputFormat.CJS],
    ['esm', OutputFormat.ESM],
  ] as const) {
    const fn = new NodejsFunction(stack, `ListTables-${path}`, {
      entry,
      runtime: lambda.Runtime.NODEJS_24_X,
      ...bundling,
      bundling: { format },
    });
    api.root.addResource(path).addMethod('GET', new apigw.LambdaIntegration(fn));
    // As in AWS, listing tables needs a grant (the local cloud enforces IAM).
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListTables'], resources: ['*'] }));
  }
  // Not part of the SDK: Lambda does not provide it, so neither may the local runtime.
  const other = new lambda.Function(stack, 'RequiresZod', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      "exports.handler = async () => { try { require('zod'); return { statusCode: 200, body: 'found' }; } catch (error) { return { statusCode: 200, body: error.code }; } };",
    ),
  });
  api.root.addResource('zod').addMethod('GET', new apigw.LambdaIntegration(other));
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-sdk', synth);
  cloud = served.cloud;
  cdkOut = served.cdkOut;
}, 90_000);

afterAll(async () => {
  await served?.close();
});

const get = async (path: string) => {
  const response = await fetch(`${cloud.restApis[0]?.url}/${path}`);
  return { status: response.status, body: await response.text() };
};

describe('the AWS SDK v3 that Lambda provides, in the local runtime', () => {
  it('is left out of the bundles, as NodejsFunction does by default', () => {
    const bundles = readdirSync(cdkOut)
      .filter((name) => name.startsWith('asset.'))
      .flatMap((dir) =>
        readdirSync(join(cdkOut, dir)).map((file) => readFileSync(join(cdkOut, dir, file), 'utf8')),
      );
    expect(bundles.length).toBeGreaterThanOrEqual(2);
    for (const bundle of bundles) expect(bundle).toMatch(/["']@aws-sdk\/client-dynamodb["']/);
  });

  it.each(['cjs', 'esm'])(
    'lets a %s bundle import it and call the local DynamoDB, with the cdk.out outside any node_modules',
    async (path) => {
      const { status, body } = await get(path);

      expect(status).toBe(200);
      expect(JSON.parse(body).tables).toEqual([
        cloud.model.resources.find((r) => r.type === 'AWS::DynamoDB::Table')?.physicalId,
      ]);
    },
  );

  it('provides only the SDK: other packages a function did not bundle are missing, as in AWS', async () => {
    expect(await get('zod')).toEqual({ status: 200, body: 'MODULE_NOT_FOUND' });
  });
});
