import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { RequestRecord } from '../../request-records';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * The request log counts the calls each request made to the emulated services: its function's SDK calls (the SDK
 * copies the invocation's `_X_AMZN_TRACE_ID` into each call's `X-Amzn-Trace-Id`, whose root the local cloud gives
 * the request) and its AWS integration's calls — so a test can hold a route to a budget of DynamoDB calls.
 */
let served: CloudOnApp | undefined;
const records: RequestRecord[] = [];
let url = '';

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'CallsApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  });
  const fn = new lambda.Function(stack, 'Counter', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    environment: { TABLE: table.tableName },
    code: lambda.Code.fromInline(`
      const { DynamoDBClient, GetItemCommand, PutItemCommand } = require('@aws-sdk/client-dynamodb');
      const client = new DynamoDBClient({});
      exports.handler = async () => {
        const Key = { id: { S: 'counter' } };
        const current = await client.send(new GetItemCommand({ TableName: process.env.TABLE, Key }));
        const n = Number(current.Item?.n?.N ?? 0) + 1;
        await client.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { ...Key, n: { N: String(n) } } }));
        return { statusCode: 200, body: String(n) };
      };`),
  });
  table.grantReadWriteData(fn);
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('count').addMethod('POST', new apigw.LambdaIntegration(fn));
  const role = new iam.Role(stack, 'Reader', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
  });
  table.grantReadData(role);
  api.root.addResource('direct').addMethod(
    'GET',
    new apigw.AwsIntegration({
      service: 'dynamodb',
      action: 'GetItem',
      options: {
        credentialsRole: role,
        requestTemplates: {
          'application/json': JSON.stringify({ TableName: table.tableName, Key: { id: { S: 'counter' } } }),
        },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': "$input.json('$.Item.n.N')" } },
        ],
      },
    }),
    { methodResponses: [{ statusCode: '200' }] },
  );
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-request-calls', synth, {
    onRequest: (record) => records.push(record),
  });
  url = served.cloud.restApis[0]?.url ?? '';
}, 60_000);

afterAll(async () => {
  await served?.close();
});

describe('the calls a request made, in its record', () => {
  it('lists a Lambda proxy route’s DynamoDB calls in order, one request at a time', async () => {
    const first = await fetch(`${url}/count`, { method: 'POST' });
    expect(await first.text()).toBe('1');
    expect(records.at(-1)?.calls).toEqual([
      { service: 'dynamodb', operation: 'GetItem' },
      { service: 'dynamodb', operation: 'PutItem' },
    ]);
  });

  it('keeps concurrent requests’ calls apart', async () => {
    records.length = 0;
    await Promise.all(
      Array.from({ length: 4 }, () => fetch(`${url}/count`, { method: 'POST' }).then((r) => r.text())),
    );
    expect(records).toHaveLength(4);
    for (const record of records)
      expect(record.calls.map((call) => call.operation)).toEqual(['GetItem', 'PutItem']);
  });

  it('counts an AWS integration’s own call to DynamoDB', async () => {
    const response = await fetch(`${url}/direct`);
    expect(response.status).toBe(200);
    expect(records.at(-1)?.calls).toEqual([{ service: 'dynamodb', operation: 'GetItem' }]);
  });
});
