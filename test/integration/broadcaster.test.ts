import {
  ApiGatewayManagementApiClient,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createBroadcaster } from '../../services/broadcaster/broadcaster';
import { createConnectionPoster } from '../../services/broadcaster/connection-poster';
import { createConnectionsReader } from '../../services/broadcaster/connections-reader';
import { type Connection, connectionCodec } from '../../shared/codecs/connection-codec';
import { connectionKeys } from '../../shared/keys/connection-keys';
import { BROADCAST_METRICS, metrics } from '../../shared/metrics';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { TEST_ENV } from '../support/test-env';

const ACME = 'tacme000000000001';
const GLOBEX = 'tglobex0000000001';
const ORDER_A = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const ORDER_B = '01JBBBBBBBBBBBBBBBBBBBBBBB';

jest.setTimeout(30_000);

let engine: DynamoEngine;
let documents: DynamoDBDocumentClient;
let queries: number;
const management = mockClient(ApiGatewayManagementApiClient);

beforeAll(async () => {
  engine = await startDynamo();
  documents = DynamoDBDocumentClient.from(engine.client);
  // Counts the Queries the broadcaster makes (the fan-out bound under test), passing every call through.
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
});

afterAll(async () => {
  documents?.destroy();
  await engine?.stop();
});

let sequence = 100;
beforeEach(() => {
  queries = 0;
  management.reset();
  management.on(PostToConnectionCommand).resolves({});
});

function broadcaster() {
  return createBroadcaster({
    connections: createConnectionsReader(TEST_ENV.TABLE_NAME, documents),
    poster: createConnectionPoster(
      new ApiGatewayManagementApiClient({ endpoint: 'https://example.com/dev' }),
      {
        attempts: 3,
        baseDelayMs: 1,
        maxDelayMs: 2,
      },
    ),
  });
}

/** A stream image with string and number attributes, as DynamoDB Streams writes them. */
function image(values: Record<string, string | number>): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === 'number' ? { N: String(v) } : { S: v }]),
  );
}

function record(
  tenantId: string,
  entity: Record<string, string | number>,
  options: { eventName?: 'INSERT' | 'MODIFY' | 'REMOVE'; old?: Record<string, string | number> } = {},
): DynamoDBRecord {
  const keys = { PK: `TENANT#${tenantId}#ORDERS`, SK: `ORDER#${String(entity.orderId ?? entity.jobId)}` };
  sequence += 1;
  return {
    eventID: String(sequence),
    eventName: options.eventName ?? 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: image(keys),
      NewImage: image({ ...keys, ...entity }),
      ...(options.old ? { OldImage: image({ ...keys, ...options.old }) } : {}),
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const order = (orderId: string, version: number, status = 'pending') => ({
  entity: 'order',
  orderId,
  status,
  version,
  updatedAt: `2026-01-01T00:00:0${version}.000Z`,
});

async function storeConnection(tenantId: string, connectionId: string, extra: Partial<Connection> = {}) {
  await documents.send(
    new PutCommand({
      TableName: TEST_ENV.TABLE_NAME,
      Item: connectionCodec.toItem({
        tenantId,
        userId: 'user-1',
        connectionId,
        connectedAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
        ...extra,
      }),
    }),
  );
}

async function isStored(tenantId: string, connectionId: string): Promise<boolean> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: TEST_ENV.TABLE_NAME,
      Key: connectionKeys.connection(tenantId, connectionId),
    }),
  );
  return Item !== undefined;
}

/** Every post, as `connectionId → messages` in the order they were sent. */
function posts(): Record<string, unknown[]> {
  const sent: Record<string, unknown[]> = {};
  for (const call of management.commandCalls(PostToConnectionCommand)) {
    const { ConnectionId, Data } = call.args[0].input;
    const id = String(ConnectionId);
    sent[id] = [...(sent[id] ?? []), JSON.parse(String(Data))];
  }
  return sent;
}

describe('the broadcaster', () => {
  it('posts each change to every connection of its tenant only, in stream order, with one Query per tenant', async () => {
    await storeConnection(ACME, 'acme-1');
    await storeConnection(ACME, 'acme-2');
    await storeConnection(GLOBEX, 'globex-1');

    const result = await broadcaster().broadcast([
      record(ACME, order(ORDER_A, 1), { eventName: 'INSERT' }),
      record(ACME, order(ORDER_A, 2), { old: order(ORDER_A, 1) }),
      record(ACME, order(ORDER_A, 3, 'confirmed'), { old: order(ORDER_A, 2) }),
    ]);

    expect(result).toEqual({ batchItemFailures: [] });
    const expected = [1, 2, 3].map((version) => ({
      type: 'order',
      id: ORDER_A,
      status: version === 3 ? 'confirmed' : 'pending',
      version,
      at: `2026-01-01T00:00:0${version}.000Z`,
    }));
    expect(posts()).toEqual({ 'acme-1': expected, 'acme-2': expected });
    expect(queries).toBe(1);
  });

  it('sends a subscribed connection only its order, and job changes only to unsubscribed ones', async () => {
    await storeConnection(GLOBEX, 'globex-all');
    await storeConnection(GLOBEX, 'globex-a', { orderId: ORDER_A });
    const job = {
      entity: 'job',
      jobId: 'job-1',
      status: 'running',
      version: 2,
      updatedAt: '2026-01-01T00:00:00.000Z',
    };

    await broadcaster().broadcast([
      record(GLOBEX, order(ORDER_B, 1), { eventName: 'INSERT' }),
      record(GLOBEX, order(ORDER_A, 4)),
      record(GLOBEX, job),
    ]);

    expect(posts()['globex-a']).toEqual([expect.objectContaining({ id: ORDER_A, version: 4 })]);
    expect(posts()['globex-all']).toEqual([
      expect.objectContaining({ id: ORDER_B }),
      expect.objectContaining({ id: ORDER_A }),
      { type: 'job', id: 'job-1', status: 'running', version: 2, at: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('deletes a connection API Gateway says is gone (410) and stops posting to it, without failing the record', async () => {
    const tenant = 'tgone000000000001';
    await storeConnection(tenant, 'alive');
    await storeConnection(tenant, 'vanished');
    management
      .on(PostToConnectionCommand, { ConnectionId: 'vanished' })
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));

    const result = await broadcaster().broadcast([
      record(tenant, order(ORDER_A, 1)),
      record(tenant, order(ORDER_A, 2)),
    ]);

    expect(result.batchItemFailures).toEqual([]);
    expect(await isStored(tenant, 'vanished')).toBe(false);
    expect(await isStored(tenant, 'alive')).toBe(true);
    expect(posts().vanished).toHaveLength(1);
    expect(posts().alive).toHaveLength(2);
  });

  it('counts posts delivered and connections gone (the dashboard graphs both)', async () => {
    const tenant = 'tcounted000000001';
    await storeConnection(tenant, 'alive');
    await storeConnection(tenant, 'vanished');
    management
      .on(PostToConnectionCommand, { ConnectionId: 'vanished' })
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));
    const counted = jest.spyOn(metrics, 'addMetric');
    try {
      await broadcaster().broadcast([record(tenant, order(ORDER_A, 1)), record(tenant, order(ORDER_A, 2))]);
      const calls = counted.mock.calls.map(([name, , value]) => [name, value]);
      expect(calls).toEqual([
        [BROADCAST_METRICS.posted, 1],
        [BROADCAST_METRICS.gone, 1],
        [BROADCAST_METRICS.posted, 1],
      ]);
    } finally {
      counted.mockRestore();
    }
  });

  it('retries a throttled post with backoff within the batch and delivers it', async () => {
    const tenant = 'tthrottled0000001';
    await storeConnection(tenant, 'busy');
    management
      .on(PostToConnectionCommand, { ConnectionId: 'busy' })
      .rejectsOnce(new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }))
      .rejectsOnce(new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }))
      .resolves({});

    const result = await broadcaster().broadcast([record(tenant, order(ORDER_A, 7))]);

    expect(result.batchItemFailures).toEqual([]);
    expect(management.commandCalls(PostToConnectionCommand, { ConnectionId: 'busy' })).toHaveLength(3);
  });

  it("reports a record whose post keeps failing, and its tenant's later records, leaving other tenants' delivered", async () => {
    const failing = 'tfailing000000001';
    const healthy = 'thealthy000000001';
    await storeConnection(failing, 'broken');
    await storeConnection(healthy, 'fine');
    management
      .on(PostToConnectionCommand, { ConnectionId: 'broken' })
      .rejects(
        Object.assign(new Error('boom'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }),
      );
    const records = [
      record(failing, order(ORDER_A, 1)),
      record(healthy, order(ORDER_B, 1)),
      record(failing, order(ORDER_A, 2)),
    ];

    const result = await broadcaster().broadcast(records);

    expect(result.batchItemFailures).toEqual(
      [records[0], records[2]].map((r) => ({ itemIdentifier: r?.dynamodb?.SequenceNumber })),
    );
    expect(posts().fine).toEqual([expect.objectContaining({ id: ORDER_B })]);
    // Three attempts for the first record, none for the second: it must not overtake the first.
    expect(posts().broken).toHaveLength(3);
  });

  it('skips removals, other entities, unchanged writes and corrupt items without posting or failing', async () => {
    const tenant = 'tskipping00000001';
    await storeConnection(tenant, 'listener');

    const result = await broadcaster().broadcast([
      record(tenant, order(ORDER_A, 1), { eventName: 'REMOVE' }),
      record(tenant, { entity: 'connection', connectionId: 'x', orderId: 'x' }),
      record(tenant, order(ORDER_A, 5), { old: order(ORDER_A, 5) }),
      record(tenant, {
        entity: 'job',
        jobId: 'job-2',
        status: 'queued',
        updatedAt: '2026-01-01T00:00:00.000Z',
      }),
    ]);

    expect(result.batchItemFailures).toEqual([]);
    expect(posts()).toEqual({});
  });

  it('does not post to a connection whose TTL has passed but which DynamoDB has not deleted yet', async () => {
    const tenant = 'texpired000000001';
    await storeConnection(tenant, 'stale', { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    await storeConnection(tenant, 'fresh');

    await broadcaster().broadcast([record(tenant, order(ORDER_A, 1))]);

    expect(Object.keys(posts())).toEqual(['fresh']);
  });
});
