import {
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LOCAL_CREDENTIALS } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * Kinesis in a small CDK app of our own: a stream from the template, records put with the SDK's Kinesis client
 * (which speaks HTTP/2) and through a REST `AWS` integration (PutRecord with a mapping template), a function fed
 * by a Kinesis event-source mapping (batches in order, the Kinesis event shape), and a poison record discarded
 * after its retries with a note to the on-failure queue.
 */
const ACCOUNT = '123456789012';
let served: CloudOnApp | undefined;
interface KinesisTestRecord {
  readonly eventID: string;
  readonly kinesis: { readonly data: string; readonly sequenceNumber: string };
}
const batches: Array<{ readonly arn: string; readonly event: { Records: KinesisTestRecord[] } }> = [];

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'KinesisApp', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const stream = new kinesis.Stream(stack, 'Clicks', { streamName: 'kinesis-app-clicks', shardCount: 1 });
  const failures = new sqs.Queue(stack, 'Failures', { queueName: 'kinesis-app-failures' });
  const consumer = new lambda.Function(stack, 'Consumer', {
    functionName: 'kinesis-app-consumer',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async (event) => {
      for (const record of event.Records) {
        if (Buffer.from(record.kinesis.data, 'base64').toString() === 'poison') throw new Error('poison record');
      }
    };`),
  });
  consumer.addEventSource(
    new sources.KinesisEventSource(stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      retryAttempts: 1,
      onFailure: new sources.SqsDlq(failures),
    }),
  );
  const role = new iam.Role(stack, 'GatewayRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
  });
  stream.grantWrite(role);
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('clicks').addMethod(
    'POST',
    new apigw.AwsIntegration({
      service: 'kinesis',
      action: 'PutRecord',
      options: {
        credentialsRole: role,
        requestTemplates: {
          'application/json': `{"StreamName": "${stream.streamName}", "PartitionKey": "$context.requestId",
            "Data": "$util.base64Encode($input.body)"}`,
        },
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: { 'application/json': `{"sequence": "$input.path('$.SequenceNumber')"}` },
          },
        ],
      },
    }),
    { methodResponses: [{ statusCode: '200' }] },
  );
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-kinesis', synth, {
    onEvent: (arn, event) => batches.push({ arn, event: event as (typeof batches)[number]['event'] }),
  });
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const client = () =>
  new KinesisClient({
    region: 'us-east-1',
    endpoint: served?.cloud.functionEnv.AWS_ENDPOINT_URL_KINESIS,
    credentials: LOCAL_CREDENTIALS,
  });
const delivered = () =>
  batches
    .filter(({ arn }) => arn.endsWith('kinesis-app-consumer'))
    .flatMap(({ event }) => event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()));

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never happened');
}

describe('Kinesis streams and the Kinesis event source', () => {
  it('lists the template stream to the SDK client, which speaks HTTP/2', async () => {
    const { StreamNames } = await client().send(new ListStreamsCommand({}));
    expect(StreamNames).toEqual(['kinesis-app-clicks']);
  });

  it('hands records put with PutRecord and PutRecords to the function in order, in the Kinesis event shape', async () => {
    await client().send(
      new PutRecordCommand({ StreamName: 'kinesis-app-clicks', PartitionKey: 'a', Data: Buffer.from('one') }),
    );
    await client().send(
      new PutRecordsCommand({
        StreamName: 'kinesis-app-clicks',
        Records: [
          { PartitionKey: 'a', Data: Buffer.from('two') },
          { PartitionKey: 'b', Data: Buffer.from('three') },
        ],
      }),
    );
    await until(() => (delivered().length >= 3 ? true : undefined));
    expect(delivered().slice(0, 3)).toEqual(['one', 'two', 'three']);
    const record = batches.find(({ arn }) => arn.endsWith('kinesis-app-consumer'))?.event.Records[0];
    expect(record).toMatchObject({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      eventSourceARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/kinesis-app-clicks`,
      awsRegion: 'us-east-1',
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'a', sequenceNumber: expect.any(String) },
    });
    expect(record?.eventID).toBe(`shardId-000000000000:${record?.kinesis.sequenceNumber}`);
  });

  it('puts a record through a REST AWS integration (PutRecord with a mapping template)', async () => {
    const response = await fetch(`${served?.cloud.restApis[0]?.url}/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ page: '/home' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { sequence: string }).sequence).toMatch(/^\d+$/);
    await until(() => (delivered().includes(JSON.stringify({ page: '/home' })) ? true : undefined));
  });

  it('discards a batch that keeps failing after its retries, with a KinesisBatchInfo note to the on-failure queue', async () => {
    await client().send(
      new PutRecordCommand({
        StreamName: 'kinesis-app-clicks',
        PartitionKey: 'p',
        Data: Buffer.from('poison'),
      }),
    );
    const sqsClient = new SQSClient({
      region: 'us-east-1',
      endpoint: served?.endpoint('SQS'),
      credentials: LOCAL_CREDENTIALS,
    });
    let notes: unknown[] = [];
    for (let attempt = 0; attempt < 20 && notes.length === 0; attempt++) {
      const received = await sqsClient.send(
        new ReceiveMessageCommand({
          QueueUrl: `${served?.endpoint('SQS')}/${ACCOUNT}/kinesis-app-failures`,
          WaitTimeSeconds: 1,
        }),
      );
      notes = (received.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
    }
    expect(notes).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 2,
        }),
        KinesisBatchInfo: expect.objectContaining({ shardId: 'shardId-000000000000', batchSize: 1 }),
      }),
    ]);
    // The shard moved on: a later record is delivered.
    await client().send(
      new PutRecordCommand({
        StreamName: 'kinesis-app-clicks',
        PartitionKey: 'p',
        Data: Buffer.from('after'),
      }),
    );
    await until(() => (delivered().includes('after') ? true : undefined));
  });
});
