import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { LOCAL_CREDENTIALS, type LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * A small CDK app of our own that moves money between accounts with DynamoDB transactions, the way public
 * CDK apps do: an accounts table with a stream, a function consuming it through `DynamoEventSource` that notes
 * every record it gets in a ledger table (with the binary attribute it decodes from base64, as code written
 * for AWS does). The test writes with the SDK v3 document client, as a function would.
 */
const CONSUMER = `
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});
exports.handler = async (event) => {
  for (const record of event.Records) {
    const image = record.dynamodb.NewImage ?? {};
    const note = image.note?.B === undefined ? '' : Buffer.from(image.note.B, 'base64').toString('utf8');
    await db.send(new PutItemCommand({
      TableName: process.env.LEDGER,
      Item: {
        pk: { S: record.eventName + '#' + record.dynamodb.Keys.pk.S + '#' + record.dynamodb.SequenceNumber },
        balance: { S: image.balance?.N ?? '-' },
        note: { S: note },
      },
    }));
  }
};`;

let served: CloudOnApp | undefined;
let cloud: LocalCloud;
let client: DynamoDBClient;
let docs: DynamoDBDocumentClient;
let outputs: Record<string, string>;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'TransactionsApp');
  const accounts = new dynamodb.TableV2(stack, 'Accounts', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  const ledger = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const consumer = new lambda.Function(stack, 'LedgerWriter', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(CONSUMER),
    environment: { LEDGER: ledger.tableName },
  });
  ledger.grantWriteData(consumer);
  consumer.addEventSource(
    new sources.DynamoEventSource(accounts, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }),
  );
  new CfnOutput(stack, 'AccountsName', { value: accounts.tableName });
  new CfnOutput(stack, 'LedgerName', { value: ledger.tableName });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-tx', synth);
  cloud = served.cloud;
  const endpoint = served.endpoint('DynamoDB');
  client = new DynamoDBClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint });
  docs = DynamoDBDocumentClient.from(client);
  outputs = { ...cloud.model.outputs?.TransactionsApp };
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await served?.close();
});

/** What the stream consumer noted so far, by `<eventName>#<account>`, in stream order. */
async function ledger(): Promise<Array<{ event: string; balance: string; note: string }>> {
  const { Items = [] } = await docs.send(
    new ScanCommand({ TableName: outputs.LedgerName, ConsistentRead: true }),
  );
  return Items.map((item) => {
    const [eventName, account, sequence] = String(item.pk).split('#');
    return {
      event: `${eventName}#${account}`,
      sequence: BigInt(sequence ?? '0'),
      balance: item.balance,
      note: item.note,
    };
  })
    .sort((a, b) => (a.sequence < b.sequence ? -1 : 1))
    .map(({ event, balance, note }) => ({ event, balance: String(balance), note: String(note) }));
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const transfer = (id: string, from: string, to: string, amount: number) =>
  new TransactWriteCommand({
    TransactItems: [
      {
        Update: {
          TableName: outputs.AccountsName,
          Key: { pk: from },
          UpdateExpression: 'SET balance = balance - :amount',
          ConditionExpression: 'balance >= :amount',
          ExpressionAttributeValues: { ':amount': amount },
        },
      },
      {
        Update: {
          TableName: outputs.AccountsName,
          Key: { pk: to },
          UpdateExpression: 'ADD balance :amount',
          ExpressionAttributeValues: { ':amount': amount },
        },
      },
      {
        Put: {
          TableName: outputs.AccountsName,
          Item: { pk: id, note: Buffer.from(`${from}->${to}`) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
  });

describe('DynamoDB transactions of a CDK app on the local cloud', () => {
  it('commits a transfer as one transaction, and the stream consumer sees each item written', async () => {
    await docs.send(new PutCommand({ TableName: outputs.AccountsName, Item: { pk: 'alice', balance: 100 } }));
    await docs.send(new PutCommand({ TableName: outputs.AccountsName, Item: { pk: 'bob', balance: 0 } }));
    await docs.send(transfer('t1', 'alice', 'bob', 30));
    const seen = await until(ledger, (l) => l.length === 5, 'five stream records');
    expect(seen).toEqual([
      { event: 'INSERT#alice', balance: '100', note: '' },
      { event: 'INSERT#bob', balance: '0', note: '' },
      { event: 'MODIFY#alice', balance: '70', note: '' },
      { event: 'MODIFY#bob', balance: '30', note: '' },
      { event: 'INSERT#t1', balance: '-', note: 'alice->bob' },
    ]);
  });

  it('cancels a transfer the balance does not cover: nothing changes, the reasons say which action failed, and the stream carries nothing of it', async () => {
    const error = await docs.send(transfer('t2', 'bob', 'alice', 500)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'ConditionalCheckFailed',
      'None',
      'None',
    ]);
    const alice = await docs.send(new GetCommand({ TableName: outputs.AccountsName, Key: { pk: 'alice' } }));
    expect(alice.Item?.balance).toBe(70);
    // A write after the cancelled transfer: once the consumer has it, it would have had the transfer's too.
    await docs.send(new PutCommand({ TableName: outputs.AccountsName, Item: { pk: 'marker' } }));
    const seen = await until(ledger, (l) => l.some((e) => e.event === 'INSERT#marker'), 'the marker');
    expect(seen.filter((e) => e.event.endsWith('#t2'))).toEqual([]);
    expect(seen).toHaveLength(6);
  });
});
