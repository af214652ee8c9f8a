import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LOCAL_CREDENTIALS, type LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * A small CDK app of our own, wired the way apps that deploy through CodeDeploy or pin versions are: every
 * invoker names a qualified function. A REST API proxies `/` to a function's `live` alias and `/pinned` to a
 * published version of it; an SQS queue feeds another function's `live` alias through `SqsEventSource` (the
 * mapping's FunctionName is then `<name>:live`, built from the alias ARN).
 */
const ECHO = `
exports.handler = async (event, context) => ({
  statusCode: 200,
  body: JSON.stringify({ invokedFunctionArn: context.invokedFunctionArn, functionName: context.functionName }),
});`;
const CONSUMER = `
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});
exports.handler = async (event, context) => {
  for (const record of event.Records) {
    await db.send(new PutItemCommand({
      TableName: process.env.LEDGER,
      Item: { pk: { S: record.body }, invokedFunctionArn: { S: context.invokedFunctionArn } },
    }));
  }
};`;

let served: CloudOnApp | undefined;
let cloud: LocalCloud;
let db: DynamoDBClient;
let queues: SQSClient;
let outputs: Record<string, string>;
let restUrl: string;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'AliasesApp');
  const inline = (id: string, source: string, environment: Record<string, string> = {}) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(source),
      environment,
    });

  const echo = inline('Echo', ECHO);
  const echoLive = new lambda.Alias(stack, 'EchoLive', { aliasName: 'live', version: echo.currentVersion });
  const api = new apigw.RestApi(stack, 'Api');
  api.root.addMethod('GET', new apigw.LambdaIntegration(echoLive));
  api.root.addResource('pinned').addMethod('GET', new apigw.LambdaIntegration(echo.currentVersion));

  const ledger = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const consumer = inline('Consumer', CONSUMER, { LEDGER: ledger.tableName });
  ledger.grantWriteData(consumer);
  const consumerLive = new lambda.Alias(stack, 'ConsumerLive', {
    aliasName: 'live',
    version: consumer.currentVersion,
  });
  const jobs = new sqs.Queue(stack, 'Jobs');
  consumerLive.addEventSource(new sources.SqsEventSource(jobs, { batchSize: 1 }));

  const version = echo.currentVersion.node.defaultChild as lambda.CfnVersion;
  new CfnOutput(stack, 'EchoArn', { value: echo.functionArn });
  new CfnOutput(stack, 'EchoLiveArn', { value: echoLive.functionArn });
  new CfnOutput(stack, 'EchoVersionArn', { value: version.attrFunctionArn });
  new CfnOutput(stack, 'ConsumerLiveArn', { value: consumerLive.functionArn });
  new CfnOutput(stack, 'JobsUrl', { value: jobs.queueUrl });
  new CfnOutput(stack, 'LedgerName', { value: ledger.tableName });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-aliases', synth);
  cloud = served.cloud;
  const { endpoint } = served;
  const client = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  db = new DynamoDBClient({ ...client, endpoint: endpoint('DynamoDB') });
  queues = new SQSClient({ ...client, endpoint: endpoint('SQS') });
  outputs = { ...cloud.model.outputs?.AliasesApp };
  restUrl = endpoint('REST API');
}, 90_000);

afterAll(async () => {
  db?.destroy();
  queues?.destroy();
  await served?.close();
});

async function ledgerItem(pk: string): Promise<Record<string, { S?: string }> | undefined> {
  const { Item } = await db.send(
    new GetItemCommand({ TableName: outputs.LedgerName, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return Item;
}

describe('a CDK app whose invokers name aliases and versions, on the local cloud', () => {
  it('serves the alias and the version as Lambda resources rather than listing them as not emulated', () => {
    const types = cloud.notEmulated.map((entry) => entry.type);
    expect(types).not.toContain('AWS::Lambda::Alias');
    expect(types).not.toContain('AWS::Lambda::Version');
  });

  it("runs the function behind the alias of a REST proxy integration, with the alias ARN as the context's invokedFunctionArn", async () => {
    const response = await fetch(`${restUrl}/`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { invokedFunctionArn: string; functionName: string };
    expect(outputs.EchoLiveArn).toBe(`${outputs.EchoArn}:live`);
    expect(body.invokedFunctionArn).toBe(outputs.EchoLiveArn);
    expect(`${outputs.EchoArn}`.endsWith(`:function:${body.functionName}`)).toBe(true);
  });

  it('runs the function of a published version named by its ARN', async () => {
    const response = await fetch(`${restUrl}/pinned`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { invokedFunctionArn: string };
    expect(outputs.EchoVersionArn).toMatch(/:\d+$/);
    expect(body.invokedFunctionArn).toBe(outputs.EchoVersionArn);
  });

  it("delivers a queue's messages to the function behind the alias its event-source mapping names", async () => {
    await queues.send(new SendMessageCommand({ QueueUrl: outputs.JobsUrl, MessageBody: 'job-1' }));
    const deadline = Date.now() + 25_000;
    let item = await ledgerItem('job-1');
    while (item === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      item = await ledgerItem('job-1');
    }
    expect(item?.invokedFunctionArn?.S).toBe(outputs.ConsumerLiveArn);
  });
});
