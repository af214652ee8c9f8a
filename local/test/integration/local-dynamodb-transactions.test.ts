import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  IdempotentParameterMismatchException,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LocalStreams } from '../../dynamodb-streams/local-streams';
import { closeServer, listenOn } from '../../loopback-server';
import type { LocalCloudModel, LocalResource } from '../../model';
import { awsEvent } from '../support/aws-events';

/**
 * DynamoDB transactions and item limits on the local endpoint (dynalite has neither): SDK v3 clients against
 * the proxy in front of the engine, with the expected messages DynamoDB's own (as public conformance suites
 * captured them against AWS).
 */
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local' };
const STREAM = (table: string) =>
  `arn:aws:dynamodb:${REGION}:123456789012:table/${table}/stream/2026-01-01T00:00:00.000`;

let engine: ReturnType<typeof dynalite>;
let streams: LocalStreams;
let db: DynamoDBClient;
const STREAMED = 'tx-streamed';
const PLAIN = 'tx-plain';

function table(name: string, stream: boolean): LocalResource {
  return {
    stackName: 'App',
    logicalId: name.replace('-', ''),
    type: 'AWS::DynamoDB::Table',
    physicalId: name,
    properties: {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      ...(stream ? { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    },
    attributes: { Arn: `arn:aws:dynamodb:${REGION}:123456789012:table/${name}`, StreamArn: STREAM(name) },
  };
}

beforeAll(async () => {
  engine = dynalite({ createTableMs: 0 });
  const engineEndpoint = `http://127.0.0.1:${await listenOn(engine, 0)}`;
  const raw = new DynamoDBClient({ region: REGION, endpoint: engineEndpoint, credentials });
  for (const name of [STREAMED, PLAIN])
    await raw.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  raw.destroy();
  const model: LocalCloudModel = {
    region: REGION,
    accountId: '123456789012',
    resources: [table(STREAMED, true), table(PLAIN, false)],
  };
  streams = await LocalStreams.start({ engineEndpoint, region: REGION, credentials });
  streams.configure(model);
  db = new DynamoDBClient({ region: REGION, endpoint: streams.endpoint, credentials });
});

afterAll(async () => {
  db.destroy();
  await streams.close();
  await closeServer(engine);
});

const records = () => streams.stream(STREAM(STREAMED))?.read(0n, 1000) ?? [];
const S = (s: string) => ({ S: s });
const get = async (tableName: string, pk: string) =>
  (await db.send(new GetItemCommand({ TableName: tableName, Key: { pk: S(pk) }, ConsistentRead: true })))
    .Item;
const put = (tableName: string, item: Record<string, { S: string } | { N: string }>) =>
  db.send(new PutItemCommand({ TableName: tableName, Item: item }));

async function canceled(command: TransactWriteItemsCommand): Promise<TransactionCanceledException> {
  const error = await db.send(command).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransactionCanceledException);
  return error as TransactionCanceledException;
}

describe('local DynamoDB TransactWriteItems', () => {
  it('applies Put, Update, Delete and a passing ConditionCheck across two tables, one stream record per item written', async () => {
    await put(STREAMED, { pk: S('a-upd'), n: { N: '1' } });
    await put(STREAMED, { pk: S('a-del') });
    await put(PLAIN, { pk: S('a-chk'), status: S('open') });
    const seen = records().length;
    await db.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: STREAMED, Item: { pk: S('a-put'), v: S('new') } } },
          {
            Update: {
              TableName: STREAMED,
              Key: { pk: S('a-upd') },
              UpdateExpression: 'SET n = n + :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
          { Delete: { TableName: STREAMED, Key: { pk: S('a-del') } } },
          {
            ConditionCheck: {
              TableName: PLAIN,
              Key: { pk: S('a-chk') },
              ConditionExpression: '#s = :open',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':open': S('open') },
            },
          },
        ],
      }),
    );
    expect(await get(STREAMED, 'a-put')).toEqual({ pk: S('a-put'), v: S('new') });
    expect((await get(STREAMED, 'a-upd'))?.n).toEqual({ N: '2' });
    expect(await get(STREAMED, 'a-del')).toBeUndefined();
    const written = records().slice(seen);
    expect(written.map((r) => [r.eventName, (r.dynamodb.Keys.pk as { S: string }).S])).toEqual([
      ['INSERT', 'a-put'],
      ['MODIFY', 'a-upd'],
      ['REMOVE', 'a-del'],
    ]);
    expect(written[1]?.dynamodb.OldImage?.n).toEqual({ N: '1' });
  });

  it('cancels everything when one condition fails, with a reason per action in order (None for the others)', async () => {
    await put(STREAMED, { pk: S('b-taken'), v: S('old') });
    const seen = records().length;
    const error = await canceled(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: STREAMED, Item: { pk: S('b-new') } } },
          {
            Put: {
              TableName: STREAMED,
              Item: { pk: S('b-taken'), v: S('over') },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
    expect(error.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
    );
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { pk: S('b-taken'), v: S('old') },
      },
    ]);
    expect(await get(STREAMED, 'b-new')).toBeUndefined();
    expect((await get(STREAMED, 'b-taken'))?.v).toEqual(S('old'));
    expect(records().length).toBe(seen);
  });

  it('evaluates a condition on a missing item against an empty item, creating nothing when it fails', async () => {
    const error = await canceled(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: PLAIN,
              Key: { pk: S('c-ghost') },
              UpdateExpression: 'SET hits = :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
        ],
      }),
    );
    expect(error.CancellationReasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed']);
    expect(await get(PLAIN, 'c-ghost')).toBeUndefined();
  });

  it('rolls back the writes already applied when the engine refuses a later one, and records nothing', async () => {
    await put(STREAMED, { pk: S('d-text'), v: S('not a number') });
    const seen = records().length;
    const error = await canceled(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: STREAMED, Item: { pk: S('d-first') } } },
          {
            Update: {
              TableName: STREAMED,
              Key: { pk: S('d-text') },
              UpdateExpression: 'SET v = v + :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
        ],
      }),
    );
    expect(error.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ValidationError']);
    expect(error.CancellationReasons?.[1]?.Message).toMatch(/incorrect data type/);
    expect(await get(STREAMED, 'd-first')).toBeUndefined();
    expect(records().length).toBe(seen);
  });

  it('refuses two actions on one item, an empty list and more than 100 actions with ValidationException', async () => {
    const send = (TransactItems: unknown[]) =>
      db.send(new TransactWriteItemsCommand({ TransactItems } as never)).catch((e: unknown) => e as Error);
    const twice = await send([
      { Put: { TableName: PLAIN, Item: { pk: S('e') } } },
      { Delete: { TableName: PLAIN, Key: { pk: S('e') } } },
    ]);
    expect(twice).toMatchObject({
      name: 'ValidationException',
      message: 'Transaction request cannot include multiple operations on one item',
    });
    expect(await send([])).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    const many = Array.from({ length: 101 }, (_, i) => ({
      Put: { TableName: PLAIN, Item: { pk: S(`e${i}`) } },
    }));
    expect(await send(many)).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        /^1 validation error detected: Value '\[.+\]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100$/s,
      ),
    });
    expect(await get(PLAIN, 'e0')).toBeUndefined();
  });

  it('accepts 100 actions and refuses items adding up to more than 4 MB', async () => {
    await db.send(
      new TransactWriteItemsCommand({
        TransactItems: Array.from({ length: 100 }, (_, i) => ({
          Put: { TableName: PLAIN, Item: { pk: S(`f${i}`) } },
        })),
      }),
    );
    expect(await get(PLAIN, 'f99')).toEqual({ pk: S('f99') });
    const big = await db
      .send(
        new TransactWriteItemsCommand({
          TransactItems: Array.from({ length: 12 }, (_, i) => ({
            Put: { TableName: PLAIN, Item: { pk: S(`g${i}`), payload: S('x'.repeat(350_000)) } },
          })),
        }),
      )
      .catch((e: unknown) => e);
    expect(big).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/4MB limit/) });
    expect(await get(PLAIN, 'g0')).toBeUndefined();
  });

  it('answers a repeated ClientRequestToken (even one racing the original) without writing again, and the same token with other items with IdempotentParameterMismatchException', async () => {
    await put(PLAIN, { pk: S('h'), n: { N: '0' } });
    const add = (amount: string) =>
      new TransactWriteItemsCommand({
        ClientRequestToken: 'token-h',
        TransactItems: [
          {
            Update: {
              TableName: PLAIN,
              Key: { pk: S('h') },
              UpdateExpression: 'ADD n :a',
              ExpressionAttributeValues: { ':a': { N: amount } },
            },
          },
        ],
      });
    await Promise.all([db.send(add('1')), db.send(add('1'))]);
    await db.send(add('1'));
    expect((await get(PLAIN, 'h'))?.n).toEqual({ N: '1' });
    await expect(db.send(add('5'))).rejects.toBeInstanceOf(IdempotentParameterMismatchException);
  });

  it('answers a missing table with ResourceNotFoundException', async () => {
    await expect(
      db.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: 'nope', Item: { pk: S('x') } } }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Requested resource not found' });
  });
});

describe('local DynamoDB TransactGetItems', () => {
  it('reads items of several tables in request order, an empty response for a missing one', async () => {
    await put(STREAMED, { pk: S('i1'), v: S('one') });
    await put(PLAIN, { pk: S('i2'), v: S('two') });
    const { Responses } = await db.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: PLAIN, Key: { pk: S('i2') } } },
          { Get: { TableName: STREAMED, Key: { pk: S('i-none') } } },
          { Get: { TableName: STREAMED, Key: { pk: S('i1') }, ProjectionExpression: 'v' } },
        ],
      }),
    );
    expect(Responses).toEqual([{ Item: { pk: S('i2'), v: S('two') } }, {}, { Item: { v: S('one') } }]);
  });

  it('cancels with a ValidationError reason for a key that does not fit the table', async () => {
    const error = await db
      .send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: PLAIN, Key: {} } }] }))
      .then(
        () => undefined,
        (e: unknown) => e as TransactionCanceledException,
      );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error?.CancellationReasons?.map((r) => r.Code)).toEqual(['ValidationError']);
  });
});

describe('local DynamoDB item limits', () => {
  const nested = (levels: number) => {
    let value: Record<string, unknown> = { S: 'leaf' };
    for (let i = 1; i < levels; i += 1) value = { M: { n: value } };
    return value;
  };

  it('stores an attribute nested 32 levels deep and refuses 33 with DynamoDB message, on PutItem, UpdateItem and transactions', async () => {
    await put(PLAIN, { pk: S('j-ok'), doc: nested(32) } as never);
    const message =
      'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';
    await expect(put(PLAIN, { pk: S('j-deep'), doc: nested(33) } as never)).rejects.toMatchObject({
      name: 'ValidationException',
      message,
    });
    await expect(
      db.send(
        new UpdateItemCommand({
          TableName: PLAIN,
          Key: { pk: S('j-deep') },
          UpdateExpression: 'SET doc = :d',
          ExpressionAttributeValues: { ':d': nested(33) as never },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message });
    await expect(
      db.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: PLAIN, Item: { pk: S('j-deep'), doc: nested(33) as never } } }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message });
    expect(await get(PLAIN, 'j-deep')).toBeUndefined();
  });

  it("keeps dynalite's own limits: empty sets and empty key strings refused, empty non-key strings stored, items over 400 KB (in UTF-8 bytes) refused", async () => {
    await expect(put(PLAIN, { pk: S('k'), tags: { SS: [] } } as never)).rejects.toMatchObject({
      message: 'One or more parameter values were invalid: An string set  may not be empty',
    });
    await expect(put(PLAIN, { pk: S('') })).rejects.toMatchObject({
      message:
        'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk',
    });
    await put(PLAIN, { pk: S('k'), note: S('') });
    expect((await get(PLAIN, 'k'))?.note).toEqual(S(''));
    await expect(put(PLAIN, { pk: S('k-big'), blob: S('x'.repeat(410_000)) })).rejects.toMatchObject({
      message: 'Item size has exceeded the maximum allowed size',
    });
    // 150 000 characters, 450 000 UTF-8 bytes: DynamoDB counts bytes.
    await expect(put(PLAIN, { pk: S('k-euro'), blob: S('€'.repeat(150_000)) })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
    });
    await put(PLAIN, { pk: S('k-euro'), blob: S('€'.repeat(130_000)) });
  });

  it('refuses a table whose key attribute name is longer than 255 bytes, and creates one at 255', async () => {
    const create = (name: string, attribute: string) =>
      db.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: attribute, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: attribute, AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    await expect(create('long-key', 'k'.repeat(256))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/Member must have length less than or equal to 255$/),
    });
    await create('key-at-limit', 'k'.repeat(255));
    const { Table } = await db.send(new DescribeTableCommand({ TableName: 'key-at-limit' }));
    expect(Table?.KeySchema?.[0]?.AttributeName).toHaveLength(255);
  });

  it("refuses an empty key string in a Key with DynamoDB's wording, on single-item calls and in a transaction", async () => {
    const message =
      'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk';
    await expect(db.send(new GetItemCommand({ TableName: PLAIN, Key: { pk: S('') } }))).rejects.toMatchObject(
      { name: 'ValidationException', message },
    );
    await expect(
      db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: PLAIN,
                Key: { pk: S('') },
                UpdateExpression: 'SET v = :v',
                ExpressionAttributeValues: { ':v': S('x') },
              },
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message });
  });

  it('answers ConditionalCheckFailedException for a plain conditional write, with the item when ReturnValuesOnConditionCheckFailure asks', async () => {
    await put(PLAIN, { pk: S('l'), v: S('kept') });
    const failed = await db
      .send(
        new PutItemCommand({
          TableName: PLAIN,
          Item: { pk: S('l') },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e as ConditionalCheckFailedException,
      );
    expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
    expect(failed?.Item).toEqual({ pk: S('l'), v: S('kept') });
    const updated = await db
      .send(
        new UpdateItemCommand({
          TableName: STREAMED,
          Key: { pk: S('l-none') },
          UpdateExpression: 'SET v = :v',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':v': S('x') },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e as ConditionalCheckFailedException,
      );
    expect(updated).toBeInstanceOf(ConditionalCheckFailedException);
    expect(updated?.Item).toBeUndefined();
    await expect(
      db.send(
        new PutItemCommand({
          TableName: PLAIN,
          Item: { pk: S('l') },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe('local DynamoDB stream images and table description', () => {
  it('carries binary attributes (B, BS, B inside a map) as base64 strings, as the capture of AWS does', async () => {
    await db.send(
      new PutItemCommand({
        TableName: STREAMED,
        Item: {
          pk: S('m-bin'),
          b: { B: Buffer.from('bytes') },
          bs: { BS: [Buffer.from('one'), Buffer.from('two')] },
          doc: { M: { inner: { B: Buffer.from('inner') } } },
        },
      }),
    );
    const record = records().find((r) => (r.dynamodb.Keys.pk as { S: string }).S === 'm-bin');
    const image = JSON.parse(JSON.stringify(record?.dynamodb.NewImage)) as Record<
      string,
      Record<string, unknown>
    >;
    expect(image.b).toEqual({ B: Buffer.from('bytes').toString('base64') });
    expect(image.bs).toEqual({ BS: ['b25l', 'dHdv'] });
    expect(image.doc).toEqual({ M: { inner: { B: 'aW5uZXI=' } } });
    expect(Buffer.from(String(image.b?.B), 'base64').toString()).toBe('bytes');
    // AWS's capture carries binaries the same way: strings, never objects.
    const capture = JSON.stringify(awsEvent('dynamodb-stream_base.json'));
    expect(capture).not.toMatch(/"B":\{/);
  });

  it('shows StreamSpecification and LatestStreamArn in DescribeTable of a streamed table, none for a plain one', async () => {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: STREAMED }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.LatestStreamArn).toBe(STREAM(STREAMED));
    expect(Table?.LatestStreamLabel).toBe('2026-01-01T00:00:00.000');
    const plain = await db.send(new DescribeTableCommand({ TableName: PLAIN }));
    expect(plain.Table?.StreamSpecification).toBeUndefined();
  });

  it('accepts UpdateTimeToLive and describes the setting back (expired items are not deleted locally)', async () => {
    const describe = () => db.send(new DescribeTimeToLiveCommand({ TableName: PLAIN }));
    expect((await describe()).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
    const { TimeToLiveSpecification } = await db.send(
      new UpdateTimeToLiveCommand({
        TableName: PLAIN,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    expect(TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect((await describe()).TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });
});
