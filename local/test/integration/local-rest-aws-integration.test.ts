import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LOCAL_CREDENTIALS, type LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * The REST emulator's `AWS` service integrations against a small CDK app of our own (not this product): the
 * common public patterns — API Gateway → DynamoDB PutItem and Query with VTL, API Gateway → SQS SendMessage —
 * plus a stream consumer that proves a write through the gateway reaches the table's stream, and an
 * integration the emulator does not serve, which start-up must name.
 */
const TABLE = 'aws-integration-items';
const QUEUE = 'aws-integration-messages';
const ACCOUNT = '123456789012';

let served: CloudOnApp | undefined;
let cloud: LocalCloud | undefined;
const lines: string[] = [];

function synth(cdkOut: string, work: string): void {
  const code = join(work, 'consumer');
  mkdirSync(code, { recursive: true });
  // Marks every item it sees on the stream with a `seen#<sk>` item in the same partition.
  writeFileSync(
    join(code, 'index.js'),
    `const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
     const client = new DynamoDBClient({});
     exports.handler = async (event) => {
       for (const record of event.Records) {
         const { pk, sk } = record.dynamodb.NewImage;
         if (sk.S.startsWith('seen#')) continue;
         await client.send(new PutItemCommand({ TableName: '${TABLE}', Item: { pk, sk: { S: 'seen#' + sk.S } } }));
       }
     };`,
  );
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'AwsIntegrationApp', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const table = new dynamodb.Table(stack, 'Items', {
    tableName: TABLE,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  const queue = new sqs.Queue(stack, 'Messages', { queueName: QUEUE });
  const role = new iam.Role(stack, 'GatewayRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
  });
  table.grant(role, 'dynamodb:PutItem', 'dynamodb:Query');
  queue.grantSendMessages(role);

  const consumer = new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(code),
  });
  table.grantWriteData(consumer);
  consumer.addEventSource(
    new sources.DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(0),
      filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
    }),
  );

  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
  const items = api.root.addResource('items');
  items.addMethod(
    'POST',
    new apigw.AwsIntegration({
      service: 'dynamodb',
      action: 'PutItem',
      options: {
        credentialsRole: role,
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        requestTemplates: {
          'application/json': `{"TableName": "${table.tableName}", "Item": {
            "pk": {"S": "$util.escapeJavaScript($input.path('$.pk'))"},
            "sk": {"S": "$input.path('$.sk')"},
            "caller": {"S": "$context.identity.sourceIp"},
            "stage": {"S": "$context.stage"},
            "at": {"N": "$context.requestTimeEpoch"}
          }, "ConditionExpression": "attribute_not_exists(pk)"}`,
        },
        integrationResponses: [
          {
            statusCode: '201',
            selectionPattern: '200',
            responseTemplates: { 'application/json': '{"id": "$context.requestId"}' },
          },
          {
            statusCode: '400',
            selectionPattern: '4\\d{2}',
            responseTemplates: {
              'application/json':
                "#set($t = \"$!input.path('$.__type')\")#if($t.endsWith('ConditionalCheckFailedException'))#set($context.responseOverride.status = 409)#end{\"error\": \"$t.replaceAll('.*#', '')\"}",
            },
          },
          { statusCode: '500', responseTemplates: { 'application/json': '{"error": "internal"}' } },
        ],
      },
    }),
    {
      methodResponses: [
        { statusCode: '201' },
        { statusCode: '400' },
        { statusCode: '409' },
        { statusCode: '500' },
      ],
    },
  );
  items.addResource('{pk}').addMethod(
    'GET',
    new apigw.AwsIntegration({
      service: 'dynamodb',
      action: 'Query',
      options: {
        credentialsRole: role,
        requestTemplates: {
          'application/json': `{"TableName": "${table.tableName}", "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": "$util.escapeJavaScript($input.params('pk'))"}}}`,
        },
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: {
              'application/json':
                '#set($items = $input.path(\'$.Items\'))[#foreach($i in $items)"$i.sk.S"#if($foreach.hasNext),#end#end]',
            },
          },
        ],
      },
    }),
    { methodResponses: [{ statusCode: '200' }] },
  );
  api.root.addResource('messages').addMethod(
    'POST',
    new apigw.AwsIntegration({
      service: 'sqs',
      path: `${ACCOUNT}/${queue.queueName}`,
      options: {
        credentialsRole: role,
        requestParameters: {
          'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
        },
        requestTemplates: {
          'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)',
        },
        integrationResponses: [
          {
            statusCode: '202',
            responseTemplates: {
              'application/json':
                '{"messageId": "$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}',
            },
          },
        ],
      },
    }),
    { methodResponses: [{ statusCode: '202' }] },
  );
  api.root.addResource('notify').addMethod(
    'POST',
    new apigw.AwsIntegration({
      service: 'firehose',
      action: 'PutRecord',
      options: { credentialsRole: role },
    }),
  );
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-rest-aws', synth, {
    log: {
      write: (text: string) => {
        lines.push(...text.split('\n'));
        return true;
      },
    },
  });
  cloud = served.cloud;
}, 60_000);

afterAll(async () => {
  await served?.close();
});

function apiUrl(): string {
  const url = cloud?.restApis[0]?.url;
  if (!url) throw new Error('the REST API did not start');
  return url;
}

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${apiUrl()}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': contentType },
        }),
  });
  const text = await response.text();
  return {
    status: response.status,
    requestId: response.headers.get('x-amzn-requestid'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await probe();
    if (done(value) || attempt >= 100) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('AWS service integrations of the local REST API', () => {
  it('names at start the integration it does not emulate, and answers it with 500', async () => {
    expect(
      lines.some((line) =>
        /not emulated: POST \/notify: AWS integration with firehose is not emulated/.test(line),
      ),
    ).toBe(true);
    expect(lines.some((line) => line.includes('/items'))).toBe(false);

    expect((await call('POST', '/notify', {})).status).toBe(500);
  });

  it('renders the PutItem template with $input, $util and $context and maps 200 to the integration response', async () => {
    const created = await call('POST', '/items', { pk: 'p1', sk: 'a' });

    expect(created).toEqual({ status: 201, requestId: expect.any(String), body: { id: created.requestId } });
    expect(
      lines.some((line) =>
        /POST \/items → dynamodb:PutItem as arn:aws:iam::123456789012:role\/.+ → 200/.test(line),
      ),
    ).toBe(true);
  });

  it('lets a response template override the status: a failed condition answers 409', async () => {
    await call('POST', '/items', { pk: 'p2', sk: 'same' });

    expect(await call('POST', '/items', { pk: 'p2', sk: 'same' })).toMatchObject({
      status: 409,
      body: { error: 'ConditionalCheckFailedException' },
    });
  });

  it('selects the 4xx response for a request DynamoDB refuses', async () => {
    expect(await call('POST', '/items', { pk: 'p3' })).toMatchObject({
      status: 400,
      body: { error: 'ValidationException' },
    });
  });

  it('refuses a content type without a template when passthrough is NEVER', async () => {
    expect((await call('POST', '/items', 'pk=p4', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('queries with a path parameter and iterates the result in the response template', async () => {
    await call('POST', '/items', { pk: 'p5', sk: 'b' });
    await call('POST', '/items', { pk: 'p5', sk: 'a' });

    expect(await call('GET', '/items/p5')).toMatchObject({
      status: 200,
      body: expect.arrayContaining(['a', 'b']),
    });
  });

  it('writes through the stream capture: a stream consumer sees items the gateway put', async () => {
    await call('POST', '/items', { pk: 'p6', sk: 'streamed' });

    const seen = await eventually(
      () => call('GET', '/items/p6'),
      (reply) => Array.isArray(reply.body) && reply.body.includes('seen#streamed'),
    );
    expect(seen.body).toEqual(expect.arrayContaining(['streamed', 'seen#streamed']));
  });

  it('sends the body to SQS with SendMessage and reads the message id from the response', async () => {
    const sent = await call('POST', '/messages', { hello: 'world & more' });
    expect(sent).toMatchObject({ status: 202, body: { messageId: expect.stringMatching(/.+/) } });

    const endpoint = cloud?.endpoints.find((e) => e.kind === 'SQS')?.url ?? '';
    const client = new SQSClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
    try {
      const received = await client.send(
        new ReceiveMessageCommand({ QueueUrl: `${endpoint}/000000000000/${QUEUE}`, WaitTimeSeconds: 1 }),
      );
      expect(received.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([
        [(sent.body as { messageId: string }).messageId, '{"hello":"world & more"}'],
      ]);
    } finally {
      client.destroy();
    }
  });
});
