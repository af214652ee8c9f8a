import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LocalStreams } from '../../dynamodb-streams/local-streams';
import type { StreamRecord } from '../../dynamodb-streams/stream-log';
import { closeServer, listenOn } from '../../loopback-server';
import type { LambdaInvoker, LocalCloudModel, LocalResource } from '../../model';
import { awsEvent } from '../support/aws-events';

/**
 * DynamoDB streams over the embedded engine (dynalite has none): the capture proxy, and stream event-source
 * mappings polled into a scripted function (an invoker of our own: the function's behaviour is the input).
 */
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local' };
const STREAM = (table: string) =>
  `arn:aws:dynamodb:${REGION}:123456789012:table/${table}/stream/1970-01-01T00:00:00.000`;

let engine: ReturnType<typeof dynalite>;
let engineEndpoint: string;
let seq = 0;

beforeAll(async () => {
  engine = dynalite({ createTableMs: 0 });
  engineEndpoint = `http://127.0.0.1:${await listenOn(engine, 0)}`;
});

afterAll(async () => {
  await closeServer(engine);
});

function table(name: string, viewType: string | undefined): LocalResource {
  return {
    stackName: 'App',
    logicalId: `T${seq}`,
    type: 'AWS::DynamoDB::Table',
    physicalId: name,
    properties: {
      KeySchema: [
        { AttributeName: 'sk', KeyType: 'RANGE' },
        { AttributeName: 'pk', KeyType: 'HASH' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      ...(viewType ? { StreamSpecification: { StreamViewType: viewType } } : {}),
    },
    attributes: { Arn: `arn:aws:dynamodb:${REGION}:123456789012:table/${name}`, StreamArn: STREAM(name) },
  };
}

function mapping(streamArn: string, properties: Record<string, unknown>): LocalResource {
  return {
    stackName: 'App',
    logicalId: `M${seq}`,
    type: 'AWS::Lambda::EventSourceMapping',
    physicalId: `uuid-${seq}`,
    properties: {
      FunctionName: 'consumer',
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      ...properties,
    },
    attributes: {},
  };
}

interface Harness {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly streams: LocalStreams;
  readonly batches: StreamRecord[][];
  readonly failures: Array<{ destination: string; note: Record<string, unknown> }>;
  stop(): Promise<void>;
}

async function harness(
  viewType: string,
  handle?: (records: StreamRecord[]) => unknown,
  esm: Record<string, unknown> = {},
): Promise<Harness> {
  seq += 1;
  const tableName = `streamed-${seq}`;
  const t = table(tableName, viewType);
  const model: LocalCloudModel = {
    region: REGION,
    accountId: '123456789012',
    resources: [t, ...(handle ? [mapping(STREAM(tableName), esm)] : [])],
  };
  const raw = new DynamoDBClient({ region: REGION, endpoint: engineEndpoint, credentials });
  await raw.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  raw.destroy();
  const streams = await LocalStreams.start({ engineEndpoint, region: REGION, credentials });
  streams.configure(model);
  const client = new DynamoDBClient({ region: REGION, endpoint: streams.endpoint, credentials });
  const batches: StreamRecord[][] = [];
  const failures: Harness['failures'] = [];
  if (handle) {
    const invoker: LambdaInvoker = {
      invoke: async (_fn, event) => {
        const records = (event as { Records: StreamRecord[] }).Records;
        batches.push(records);
        return handle(records);
      },
    };
    streams.startEventSources(model, invoker, async (destination, note) => {
      failures.push({ destination, note });
    });
  }
  return {
    tableName,
    client,
    streams,
    batches,
    failures,
    stop: async () => {
      client.destroy();
      await streams.close();
    },
  };
}

const put = (h: Harness, pk: string, extra: Record<string, unknown> = {}) =>
  h.client.send(
    new PutItemCommand({
      TableName: h.tableName,
      Item: { pk: { S: pk }, sk: { S: 'A' }, ...(extra as Record<string, { S: string }>) },
    }),
  );

async function until(condition: () => boolean, what: string, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const shape = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, k.endsWith('Image') || k === 'Keys' ? 'map' : shape(v)]),
      )
    : typeof value;

describe('local DynamoDB streams', () => {
  it('records INSERT, MODIFY and REMOVE with the images of the view type, shaped like AWS capture', async () => {
    const h = await harness('NEW_AND_OLD_IMAGES');
    try {
      await put(h, 'p1', { status: { S: 'new' } });
      await h.client.send(
        new UpdateItemCommand({
          TableName: h.tableName,
          Key: { pk: { S: 'p1' }, sk: { S: 'A' } },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'shipped' } },
        }),
      );
      await h.client.send(
        new DeleteItemCommand({ TableName: h.tableName, Key: { pk: { S: 'p1' }, sk: { S: 'A' } } }),
      );
      const records = h.streams.stream(STREAM(h.tableName))?.read(0n, 10) ?? [];
      expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
      expect(records[0]?.dynamodb.Keys).toEqual({ pk: { S: 'p1' }, sk: { S: 'A' } });
      expect(records[0]?.dynamodb.OldImage).toBeUndefined();
      expect(records[1]?.dynamodb.OldImage?.status).toEqual({ S: 'new' });
      expect(records[1]?.dynamodb.NewImage?.status).toEqual({ S: 'shipped' });
      expect(records[2]?.dynamodb.NewImage).toBeUndefined();
      const sequences = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
      expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
      const capture = awsEvent<{ Records: unknown[] }>('dynamodb-stream_base.json').Records[0];
      expect(shape(records[0])).toEqual(shape(capture));
    } finally {
      await h.stop();
    }
  });

  it('records a put over an item with both images and answers only the return values the caller asked for', async () => {
    const h = await harness('NEW_AND_OLD_IMAGES');
    try {
      await put(h, 'p1', { v: { S: '1' } });
      const replaced = await put(h, 'p1', { v: { S: '2' } });
      expect(replaced.Attributes).toBeUndefined();
      const returned = await h.client.send(
        new PutItemCommand({
          TableName: h.tableName,
          Item: { pk: { S: 'p1' }, sk: { S: 'A' }, v: { S: '3' } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      expect(returned.Attributes).toEqual({ pk: { S: 'p1' }, sk: { S: 'A' }, v: { S: '2' } });
      const deleted = await h.client.send(
        new DeleteItemCommand({ TableName: h.tableName, Key: { pk: { S: 'p1' }, sk: { S: 'A' } } }),
      );
      expect(deleted.Attributes).toBeUndefined();
      const records = h.streams.stream(STREAM(h.tableName))?.read(0n, 10) ?? [];
      expect(records.map((r) => [r.eventName, r.dynamodb.OldImage?.v, r.dynamodb.NewImage?.v])).toEqual([
        ['INSERT', undefined, { S: '1' }],
        ['MODIFY', { S: '1' }, { S: '2' }],
        ['MODIFY', { S: '2' }, { S: '3' }],
        ['REMOVE', { S: '3' }, undefined],
      ]);
    } finally {
      await h.stop();
    }
  });

  it('records numbers as the table stores them, not as the put spelled them', async () => {
    const h = await harness('NEW_IMAGE');
    try {
      await h.client.send(
        new PutItemCommand({
          TableName: h.tableName,
          Item: {
            pk: { S: 'p1' },
            sk: { S: 'A' },
            n: { N: '01.50' },
            m: { M: { x: { NS: ['3.10', '2'] } } },
          },
        }),
      );
      const [record] = h.streams.stream(STREAM(h.tableName))?.read(0n, 10) ?? [];
      expect(record?.dynamodb.NewImage?.n).toEqual({ N: '1.5' });
      expect(record?.dynamodb.NewImage?.m).toEqual({ M: { x: { NS: ['3.1', '2'] } } });
    } finally {
      await h.stop();
    }
  });

  it('records nothing for a failed conditional write or a write that changes nothing', async () => {
    const h = await harness('NEW_AND_OLD_IMAGES');
    try {
      await put(h, 'p1', { v: { S: '1' } });
      await expect(
        h.client.send(
          new PutItemCommand({
            TableName: h.tableName,
            Item: { pk: { S: 'p1' }, sk: { S: 'A' }, v: { S: '2' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ).rejects.toThrow(/conditional request failed/i);
      await put(h, 'p1', { v: { S: '1' } });
      expect(
        h.streams
          .stream(STREAM(h.tableName))
          ?.read(0n, 10)
          .map((r) => r.eventName),
      ).toEqual(['INSERT']);
    } finally {
      await h.stop();
    }
  });

  it("answers a write whose key the engine refuses with the engine's ValidationException, recording nothing", async () => {
    const h = await harness('NEW_AND_OLD_IMAGES');
    try {
      await expect(
        h.client.send(
          new PutItemCommand({ TableName: h.tableName, Item: { pk: { S: 'p1' }, sk: { S: '' } } }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      expect(h.streams.stream(STREAM(h.tableName))?.read(0n, 10)).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  it('keeps only keys for KEYS_ONLY and records every item of a BatchWriteItem', async () => {
    const h = await harness('KEYS_ONLY');
    try {
      await h.client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [h.tableName]: ['a', 'b', 'c'].map((pk) => ({
              PutRequest: { Item: { pk: { S: pk }, sk: { S: 'A' }, x: { S: 'y' } } },
            })),
          },
        }),
      );
      const records = h.streams.stream(STREAM(h.tableName))?.read(0n, 10) ?? [];
      expect(records.map((r) => r.dynamodb.Keys.pk)).toEqual([{ S: 'a' }, { S: 'b' }, { S: 'c' }]);
      expect(
        records.every((r) => r.dynamodb.NewImage === undefined && r.dynamodb.OldImage === undefined),
      ).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it('delivers only records matching the filter, in order, and skips the rest for good', async () => {
    const h = await harness('NEW_IMAGE', () => undefined, {
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { kind: { S: ['order'] } } } }) }],
      },
    });
    try {
      await put(h, 'o1', { kind: { S: 'order' } });
      await put(h, 'c1', { kind: { S: 'catalog' } });
      await put(h, 'o2', { kind: { S: 'order' } });
      await until(() => h.batches.flat().length === 2, 'two order records');
      await new Promise((r) => setTimeout(r, 300));
      expect(h.batches.flat().map((r) => r.dynamodb.Keys.pk)).toEqual([{ S: 'o1' }, { S: 'o2' }]);
    } finally {
      await h.stop();
    }
  });

  it('retries from the lowest failed sequence number a ReportBatchItemFailures response names', async () => {
    let failedOnce = false;
    const h = await harness(
      'NEW_IMAGE',
      (records) => {
        const bad = records.find((r) => (r.dynamodb.Keys.pk as { S: string }).S === 'p2');
        if (bad && !failedOnce) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: bad.dynamodb.SequenceNumber }] };
        }
        return { batchItemFailures: [] };
      },
      { FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumBatchingWindowInSeconds: 1, BatchSize: 3 },
    );
    try {
      for (const pk of ['p1', 'p2', 'p3']) await put(h, pk);
      await until(() => h.batches.length === 2, 'the retry');
      const keys = h.batches.map((b) => b.map((r) => (r.dynamodb.Keys.pk as { S: string }).S));
      expect(keys).toEqual([
        ['p1', 'p2', 'p3'],
        ['p2', 'p3'],
      ]);
    } finally {
      await h.stop();
    }
  });

  it('bisects a failing batch, then discards the poison record after MaximumRetryAttempts with a note to the on-failure destination', async () => {
    const h = await harness(
      'NEW_IMAGE',
      (records) => {
        if (records.some((r) => (r.dynamodb.Keys.pk as { S: string }).S === 'poison'))
          throw new Error('cannot handle');
      },
      {
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 1,
        MaximumBatchingWindowInSeconds: 1,
        BatchSize: 4,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:stream-dlq' } },
      },
    );
    try {
      for (const pk of ['a', 'b', 'poison', 'd']) await put(h, pk);
      await until(() => h.failures.length === 1, 'the failure note');
      const delivered = h.batches.filter(
        (b) => !b.some((r) => (r.dynamodb.Keys.pk as { S: string }).S === 'poison'),
      );
      expect(
        delivered
          .flat()
          .map((r) => (r.dynamodb.Keys.pk as { S: string }).S)
          .sort(),
      ).toEqual(['a', 'b', 'd']);
      const note = h.failures[0]?.note as {
        requestContext: Record<string, unknown>;
        DDBStreamBatchInfo: Record<string, unknown>;
      };
      expect(h.failures[0]?.destination).toBe('arn:aws:sqs:us-east-1:123456789012:stream-dlq');
      expect(note.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(note.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn: STREAM(h.tableName) });
      expect(note.DDBStreamBatchInfo.startSequenceNumber).toBe(note.DDBStreamBatchInfo.endSequenceNumber);
    } finally {
      await h.stop();
    }
  });
});
