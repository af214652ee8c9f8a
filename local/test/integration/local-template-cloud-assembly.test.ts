import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnOutput, Stack, Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { LocalResource } from '../../model';
import { type LoadCloudAssemblyOptions, loadCloudAssembly } from '../../template/cloud-assembly';

const SUPPORTED = [
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Account',
];

const OPTIONS: LoadCloudAssemblyOptions = {
  supportedTypes: SUPPORTED,
  endpoints: {
    executeApi: (apiId, scheme) => (scheme === 'https' ? `http://127.0.0.1:3000/${apiId}` : undefined),
    cognitoIssuer: (userPoolId) => `http://127.0.0.1:9229/${userPoolId}`,
    sqs: 'http://127.0.0.1:9324',
  },
};

let workDir: string;
let cdkOut: string;

/** Two stacks wired by cross-stack references, a Lambda asset, a REST API, a WAF ACL and a stage. */
function synthApp(): void {
  const codeDir = join(workDir, 'code');
  mkdirSync(codeDir);
  writeFileSync(
    join(codeDir, 'index.js'),
    'exports.handler = async () => ({ statusCode: 200, body: "ok" });\n',
  );

  const app = new App({ outdir: cdkOut });
  const data = new Stack(app, 'Data');
  const table = new dynamodb.Table(data, 'Table', {
    partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  const userPool = new cognito.UserPool(data, 'Users');
  const client = userPool.addClient('WebClient');
  const queue = new sqs.Queue(data, 'Jobs');

  const api = new Stack(app, 'Api');
  const fn = new lambda.Function(api, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(codeDir),
    environment: {
      TABLE_NAME: table.tableName,
      TABLE_STREAM: table.tableStreamArn ?? '',
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: client.userPoolClientId,
      ISSUER: userPool.userPoolProviderUrl,
      QUEUE_URL: queue.queueUrl,
      REGION: api.region,
    },
  });
  table.grantReadWriteData(fn);
  const rest = new apigateway.RestApi(api, 'Rest', { deployOptions: { stageName: 'v1' } });
  rest.root.addResource('items').addMethod('GET', new apigateway.LambdaIntegration(fn));
  new CfnOutput(api, 'ApiUrl', { value: rest.url });
  new wafv2.CfnWebACL(api, 'Acl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: false, metricName: 'acl', sampledRequestsEnabled: false },
  });

  const beta = new Stage(app, 'Beta');
  const inner = new Stack(beta, 'Inner');
  new dynamodb.Table(inner, 'Table', { partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING } });

  app.synth();
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'local-template-'));
  cdkOut = join(workDir, 'cdk.out');
  synthApp();
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function only(resources: readonly LocalResource[], stackName: string, type: string): LocalResource {
  const matches = resources.filter((r) => r.stackName === stackName && r.type === type);
  expect(matches).toHaveLength(1);
  const [match] = matches;
  if (!match) throw new Error(`no ${type} in ${stackName}`);
  return match;
}

describe('loading a synthesized CDK app', () => {
  it('resolves Lambda env vars that reference the other stack to the local values of its resources', () => {
    const { model } = loadCloudAssembly(cdkOut, OPTIONS);
    const table = only(model.resources, 'Data', 'AWS::DynamoDB::Table');
    const pool = only(model.resources, 'Data', 'AWS::Cognito::UserPool');
    const client = only(model.resources, 'Data', 'AWS::Cognito::UserPoolClient');
    const queue = only(model.resources, 'Data', 'AWS::SQS::Queue');
    const fn = only(model.resources, 'Api', 'AWS::Lambda::Function');

    expect(fn.properties.Environment).toEqual({
      Variables: {
        TABLE_NAME: table.physicalId,
        TABLE_STREAM: table.attributes.StreamArn,
        USER_POOL_ID: pool.physicalId,
        USER_POOL_CLIENT_ID: client.physicalId,
        ISSUER: `http://127.0.0.1:9229/${pool.physicalId}`,
        QUEUE_URL: `http://127.0.0.1:9324/000000000000/${queue.attributes.QueueName}`,
        REGION: 'us-east-1',
      },
    });
    expect(table.physicalId).toBe(`Data-${table.logicalId}`);
    expect(pool.physicalId).toMatch(/^us-east-1_[A-Za-z0-9]{10}$/);
    expect(client.physicalId).toMatch(/^[a-z0-9]{26}$/);
  });

  it('resolves IAM policies and integration URIs to local ARNs', () => {
    const { model } = loadCloudAssembly(cdkOut, OPTIONS);
    const table = only(model.resources, 'Data', 'AWS::DynamoDB::Table');
    const fn = only(model.resources, 'Api', 'AWS::Lambda::Function');
    const policy = only(model.resources, 'Api', 'AWS::IAM::Policy');
    const method = only(model.resources, 'Api', 'AWS::ApiGateway::Method');
    const role = model.resources.find(
      (r) => r.physicalId === `Api-${r.logicalId}` && r.logicalId.startsWith('HandlerServiceRole'),
    );

    expect(JSON.stringify(policy.properties.PolicyDocument)).toContain(`"${table.attributes.Arn}"`);
    expect(fn.properties.Role).toBe(role?.attributes.Arn);
    expect(method.properties.Integration).toMatchObject({
      Type: 'AWS_PROXY',
      Uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.attributes.Arn}/invocations`,
    });
  });

  it('maps the Lambda code to its asset directory in cdk.out', () => {
    const loaded = loadCloudAssembly(cdkOut, OPTIONS);
    const fn = only(loaded.model.resources, 'Api', 'AWS::Lambda::Function');
    const dir = loaded.assets(fn);
    expect(dir).toMatch(
      new RegExp(`^${cdkOut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/asset\\.[0-9a-f]{64}$`),
    );
    expect(readFileSync(join(dir ?? '', 'index.js'), 'utf8')).toContain('exports.handler');
    expect(loaded.assets(only(loaded.model.resources, 'Data', 'AWS::DynamoDB::Table'))).toBeUndefined();
  });

  it('resolves stack outputs, with the REST API URL on the local endpoint', () => {
    const { model } = loadCloudAssembly(cdkOut, OPTIONS);
    const rest = only(model.resources, 'Api', 'AWS::ApiGateway::RestApi');
    expect(model.outputs?.Api?.ApiUrl).toBe(`http://127.0.0.1:3000/${rest.physicalId}/v1/`);
    const exported = Object.values(model.outputs?.Data ?? {});
    expect(exported).toContain(only(model.resources, 'Data', 'AWS::DynamoDB::Table').physicalId);
  });

  it('keeps the AWS URL forms when no local endpoints are given', () => {
    const { model } = loadCloudAssembly(cdkOut);
    const rest = only(model.resources, 'Api', 'AWS::ApiGateway::RestApi');
    const pool = only(model.resources, 'Data', 'AWS::Cognito::UserPool');
    const fn = only(model.resources, 'Api', 'AWS::Lambda::Function');
    expect(model.outputs?.Api?.ApiUrl).toBe(
      `https://${rest.physicalId}.execute-api.us-east-1.amazonaws.com/v1/`,
    );
    expect(fn.properties.Environment).toMatchObject({
      Variables: { ISSUER: `https://cognito-idp.us-east-1.amazonaws.com/${pool.physicalId}` },
    });
  });

  it('orders stacks by their dependencies and includes the stacks of nested stages', () => {
    const { stacks } = loadCloudAssembly(cdkOut, OPTIONS);
    const names = stacks.map((s) => s.stackName);
    expect(names).toEqual(expect.arrayContaining(['Data', 'Api', 'Beta-Inner']));
    expect(names.indexOf('Data')).toBeLessThan(names.indexOf('Api'));
    expect(stacks.find((s) => s.stackName === 'Api')?.dependsOn).toEqual(['Data']);
    expect(stacks.find((s) => s.stackName === 'Beta-Inner')?.artifactId).not.toBe('Beta-Inner');
  });

  it('gives the same physical ids and attributes on every load of the same cdk.out', () => {
    expect(loadCloudAssembly(cdkOut, OPTIONS).model).toEqual(loadCloudAssembly(cdkOut, OPTIONS).model);
  });

  it('reports the resource types the local cloud does not emulate, grouped by type', () => {
    const { unsupported } = loadCloudAssembly(cdkOut, OPTIONS);
    expect(unsupported).toEqual([{ type: 'AWS::WAFv2::WebACL', logicalIds: ['Api/Acl'] }]);
  });

  it('reports nothing as unsupported when no supported types are given', () => {
    expect(loadCloudAssembly(cdkOut).unsupported).toEqual([]);
  });
});

describe('loading hand-written cloud assemblies', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(workDir, 'hand-'));
  });

  function writeAssembly(
    stacks: Record<string, { template: unknown; environment?: string; dependencies?: string[] }>,
  ) {
    const artifacts: Record<string, unknown> = {};
    for (const [name, stack] of Object.entries(stacks)) {
      writeFileSync(join(dir, `${name}.template.json`), JSON.stringify(stack.template));
      artifacts[name] = {
        type: 'aws:cloudformation:stack',
        environment: stack.environment ?? 'aws://unknown-account/unknown-region',
        properties: { templateFile: `${name}.template.json` },
        dependencies: stack.dependencies ?? [],
      };
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  }

  it('takes region and account from a concrete stack environment', () => {
    writeAssembly({
      Only: {
        environment: 'aws://444455556666/ap-southeast-2',
        template: { Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: {} } } },
      },
    });
    const { model } = loadCloudAssembly(dir);
    expect(model.region).toBe('ap-southeast-2');
    expect(model.accountId).toBe('444455556666');
    expect(model.resources[0]?.attributes.Arn).toBe(
      'arn:aws:lambda:ap-southeast-2:444455556666:function:Only-Fn',
    );
  });

  it('follows an import even when the exporting stack is listed later without a declared dependency', () => {
    writeAssembly({
      Consumer: {
        template: {
          Resources: {
            Fn: { Type: 'Test::Thing', Properties: { Table: { 'Fn::ImportValue': 'Producer-TableName' } } },
          },
        },
      },
      Producer: {
        template: {
          Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: {} } },
          Outputs: {
            TableName: {
              Value: { Ref: 'Table' },
              Export: { Name: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'TableName']] } },
            },
          },
        },
      },
    });
    const { model } = loadCloudAssembly(dir);
    expect(model.resources.find((r) => r.stackName === 'Consumer')?.properties).toEqual({
      Table: 'Producer-Table',
    });
  });

  it('falls back to the aws:asset:path metadata the CDK CLI writes when the code key is not in an asset manifest', () => {
    writeAssembly({
      Legacy: {
        template: {
          Resources: {
            Fn: {
              Type: 'AWS::Lambda::Function',
              Properties: { Code: { S3Bucket: 'b', S3Key: 'unknown.zip' } },
              Metadata: { 'aws:asset:path': 'asset.legacy', 'aws:asset:property': 'Code' },
            },
          },
        },
      },
    });
    const loaded = loadCloudAssembly(dir);
    const [fn] = loaded.model.resources;
    expect(fn && loaded.assets(fn)).toBe(join(dir, 'asset.legacy'));
  });

  it('follows CDK weak cross-stack references (Fn::GetStackOutput) to the producing stack', () => {
    const app = new App({ outdir: dir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
    const producer = new Stack(app, 'Producer');
    const table = new dynamodb.Table(producer, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    });
    const consumer = new Stack(app, 'Consumer');
    new sqs.Queue(consumer, 'Queue', { queueName: table.tableName });
    app.synth();

    const { model } = loadCloudAssembly(dir);
    const template = readFileSync(join(dir, 'Consumer.template.json'), 'utf8');
    expect(template).toContain('Fn::GetStackOutput');
    expect(only(model.resources, 'Consumer', 'AWS::SQS::Queue').properties.QueueName).toBe(
      only(model.resources, 'Producer', 'AWS::DynamoDB::Table').physicalId,
    );
  });

  it('fails naming the stack, resource and path for an import nobody exports', () => {
    writeAssembly({
      Lonely: {
        template: {
          Resources: { Fn: { Type: 'Test::Thing', Properties: { X: { 'Fn::ImportValue': 'Nope' } } } },
        },
      },
    });
    expect(() => loadCloudAssembly(dir)).toThrow(
      'Lonely/Fn at Properties.X.Fn::ImportValue: no stack exports Nope',
    );
  });

  it('fails naming the stack, resource and path for an unknown intrinsic', () => {
    writeAssembly({
      Odd: {
        template: { Resources: { Fn: { Type: 'Test::Thing', Properties: { A: [{ 'Fn::Magic': 1 }] } } } },
      },
    });
    expect(() => loadCloudAssembly(dir)).toThrow(
      'Odd/Fn at Properties.A[0].Fn::Magic: unsupported intrinsic function Fn::Magic',
    );
  });

  it('fails clearly when the directory is not a cloud assembly', () => {
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
    expect(() => loadCloudAssembly(dir)).toThrow(/cannot read cloud assembly manifest .*manifest\.json/);
  });
});
