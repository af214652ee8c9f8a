import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LOCAL_CREDENTIALS, type LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * A small CDK app of our own, written the way public CDK apps wire event sources: an SQS queue with a DLQ
 * feeding a function through `SqsEventSource` (partial batch responses, maximum concurrency), and a table's
 * stream feeding a function through `DynamoEventSource` (a filter, bisect, a retry limit and an SQS on-failure
 * destination). Both functions are inline and use the AWS SDK v3 the runtime provides.
 */
const CONSUMER = `
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});
const mark = (pk) => db.send(new PutItemCommand({ TableName: process.env.LEDGER, Item: { pk: { S: pk } } }));
exports.queue = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    if (record.body === 'poison') batchItemFailures.push({ itemIdentifier: record.messageId });
    else await mark('sqs#' + record.body);
  }
  return { batchItemFailures };
};
exports.stream = async (event) => {
  for (const record of event.Records) {
    const pk = record.dynamodb.Keys.pk.S;
    if (pk === 'fail') throw new Error('cannot project ' + pk);
    await mark('stream#' + record.eventName + '#' + pk);
  }
};`;

let served: CloudOnApp | undefined;
let cloud: LocalCloud;
let db: DynamoDBClient;
let queues: SQSClient;
let outputs: Record<string, string>;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'EventSourcesApp');
  const ledger = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const orders = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  const dlq = new sqs.Queue(stack, 'JobsDlq');
  const jobs = new sqs.Queue(stack, 'Jobs', {
    // Longer than a cold start on a loaded machine: a message still in flight when it reappears is received
    // twice and, as on AWS, may reach the DLQ although it succeeded.
    visibilityTimeout: Duration.seconds(4),
    deadLetterQueue: { queue: dlq, maxReceiveCount: 2 },
  });
  const streamFailures = new sqs.Queue(stack, 'StreamFailures');
  const consumer = (id: string, handler: string) => {
    const fn = new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: `index.${handler}`,
      code: lambda.Code.fromInline(CONSUMER),
      environment: { LEDGER: ledger.tableName },
    });
    ledger.grantWriteData(fn);
    return fn;
  };
  consumer('QueueConsumer', 'queue').addEventSource(
    new sources.SqsEventSource(jobs, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 2 }),
  );
  consumer('StreamConsumer', 'stream').addEventSource(
    new sources.DynamoEventSource(orders, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
      bisectBatchOnError: true,
      retryAttempts: 1,
      onFailure: new sources.SqsDlq(streamFailures),
    }),
  );
  new CfnOutput(stack, 'JobsUrl', { value: jobs.queueUrl });
  new CfnOutput(stack, 'DlqUrl', { value: dlq.queueUrl });
  new CfnOutput(stack, 'StreamFailuresUrl', { value: streamFailures.queueUrl });
  new CfnOutput(stack, 'LedgerName', { value: ledger.tableName });
  new CfnOutput(stack, 'OrdersName', { value: orders.tableName });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-esm', synth);
  cloud = served.cloud;
  const { endpoint } = served;
  const client = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  db = new DynamoDBClient({ ...client, endpoint: endpoint('DynamoDB') });
  queues = new SQSClient({ ...client, endpoint: endpoint('SQS') });
  outputs = { ...cloud.model.outputs?.EventSourcesApp };
}, 90_000);

afterAll(async () => {
  db?.destroy();
  queues?.destroy();
  await served?.close();
});

async function marked(pk: string): Promise<boolean> {
  const { Item } = await db.send(
    new GetItemCommand({ TableName: outputs.LedgerName, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return Item !== undefined;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 25_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function receiveOne(queueUrl: string | undefined): Promise<string | undefined> {
  const { Messages } = await queues.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
  );
  return Messages?.[0]?.Body;
}

describe('event sources of a CDK app on the local cloud', () => {
  it("resolves the template's queue URLs to the local SQS endpoint", () => {
    const sqsEndpoint = cloud.endpoints.find((e) => e.kind === 'SQS')?.url ?? 'missing';
    expect(outputs.JobsUrl?.startsWith(`${sqsEndpoint}/`)).toBe(true);
  });

  it('delivers a message sent to the queue to its function, which writes through the provided SDK', async () => {
    await queues.send(new SendMessageCommand({ QueueUrl: outputs.JobsUrl, MessageBody: 'hello' }));
    await until(() => marked('sqs#hello'), 'the queue consumer');
  });

  it('redrives a message the function keeps reporting as failed to the dead-letter queue', async () => {
    await queues.send(new SendMessageCommand({ QueueUrl: outputs.JobsUrl, MessageBody: 'poison' }));
    await queues.send(new SendMessageCommand({ QueueUrl: outputs.JobsUrl, MessageBody: 'fine' }));
    let body: string | undefined;
    await until(async () => {
      body = await receiveOne(outputs.DlqUrl);
      return body !== undefined;
    }, 'the DLQ');
    expect(body).toBe('poison');
    expect(await marked('sqs#fine')).toBe(true);
  });

  it('delivers stream records the filter admits (INSERT) and skips the others (MODIFY)', async () => {
    await db.send(new PutItemCommand({ TableName: outputs.OrdersName, Item: { pk: { S: 'o1' } } }));
    await db.send(
      new UpdateItemCommand({
        TableName: outputs.OrdersName,
        Key: { pk: { S: 'o1' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'shipped' } },
      }),
    );
    await db.send(new PutItemCommand({ TableName: outputs.OrdersName, Item: { pk: { S: 'o2' } } }));
    await until(() => marked('stream#INSERT#o2'), 'the stream consumer');
    expect(await marked('stream#INSERT#o1')).toBe(true);
    expect(await marked('stream#MODIFY#o1')).toBe(false);
  });

  it('discards a record that keeps failing after its retries and notes it on the on-failure queue', async () => {
    await db.send(new PutItemCommand({ TableName: outputs.OrdersName, Item: { pk: { S: 'fail' } } }));
    await db.send(new PutItemCommand({ TableName: outputs.OrdersName, Item: { pk: { S: 'after' } } }));
    let body: string | undefined;
    await until(async () => {
      body = await receiveOne(outputs.StreamFailuresUrl);
      return body !== undefined;
    }, 'the on-failure note');
    const note = JSON.parse(body ?? '{}') as {
      requestContext: { condition: string };
      DDBStreamBatchInfo: Record<string, unknown>;
    };
    expect(note.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(note.DDBStreamBatchInfo.batchSize).toBe(1);
    await until(() => marked('stream#INSERT#after'), 'the record after the failed one');
  });
});
