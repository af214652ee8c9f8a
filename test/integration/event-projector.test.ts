import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { readEventProjectorConfig } from '../../services/event-projector/config';
import { createEventProjectorHandler } from '../../services/event-projector/handler';
import type { OrderStatus } from '../../services/orders/order-status';
import { createOrdersRepository, type Order, toItem } from '../../services/orders/orders-repository';
import { documentClient } from '../../shared/dynamo';
import { sortableId, tenantId } from '../../shared/ids';
import { orderEventKeys } from '../../shared/keys/order-event-keys';
import { orderKeys } from '../../shared/keys/order-keys';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { TEST_ENV } from '../support/test-env';

/**
 * The projector against the embedded DynamoDB: event items exactly as the POST /events template writes them,
 * handed over as the stream would (INSERT records with the new image), in order, out of order and twice.
 */
let engine: DynamoEngine;
const project = createEventProjectorHandler(readEventProjectorConfig(TEST_ENV));
const orders = createOrdersRepository(TEST_ENV.TABLE_NAME);
let sequence = 0;

// Starting the engine synthesizes the stateful stack for its tables: slow on a loaded machine.
beforeAll(async () => {
  engine = await startDynamo();
}, 60_000);

afterAll(async () => {
  await engine?.stop();
});

async function orderIn(tenant: string, status: OrderStatus): Promise<Order> {
  const now = new Date().toISOString();
  const order: Order = {
    orderId: sortableId(),
    status,
    items: [{ sku: 'MUG-1', name: 'Mug', quantity: 1, unitPrice: 1299, lineTotal: 1299 }],
    currency: 'EUR',
    total: 1299,
    version: 1,
    trackingId: `trk-${sequence++}`,
    createdAt: now,
    updatedAt: now,
    createdBy: 'user-1',
  };
  await documentClient.send(new PutCommand({ TableName: TEST_ENV.TABLE_NAME, Item: toItem(tenant, order) }));
  return order;
}

/** Writes an event item as the request template does and returns its stream record (an INSERT). */
async function postEvent(
  tenant: string,
  orderId: string,
  type: string,
  occurredAt: string,
  extra: Record<string, string> = {},
): Promise<DynamoDBRecord> {
  const eventId = `req-${sequence++}`;
  const item = {
    ...orderEventKeys.event(tenant, orderId, eventId),
    entity: 'order-event',
    tenantId: tenant,
    eventId,
    orderId,
    type,
    occurredAt,
    receivedAt: Date.now(),
    status: 'received',
    ...extra,
  };
  await documentClient.send(new PutCommand({ TableName: TEST_ENV.TABLE_NAME, Item: item }));
  return {
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall({ PK: item.PK, SK: item.SK }) as never,
      NewImage: marshall(item) as never,
      SequenceNumber: String(sequence++),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

async function deliver(...records: DynamoDBRecord[]) {
  return project({ Records: records } satisfies DynamoDBStreamEvent);
}

async function stored(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  return (
    await documentClient.send(
      new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: key, ConsistentRead: true }),
    )
  ).Item;
}

async function eventOutcome(record: DynamoDBRecord) {
  const keys = record.dynamodb?.NewImage;
  const item = await stored({ PK: String(keys?.PK?.S), SK: String(keys?.SK?.S) });
  return { status: item?.status, reason: item?.reason };
}

describe('the event projector', () => {
  it('applies a shipped event to a confirmed order: status, index key, version and timeline in one update', async () => {
    const tenant = tenantId();
    const order = await orderIn(tenant, 'confirmed');
    const shipped = await postEvent(tenant, order.orderId, 'shipped', '2026-01-02T10:00:00Z', {
      carrier: 'DHL',
      note: "O'Hare",
    });

    expect(await deliver(shipped)).toEqual({ batchItemFailures: [] });

    const item = await stored(orderKeys.order(tenant, order.orderId));
    expect(item).toMatchObject({
      status: 'shipped',
      version: 2,
      GSI1PK: orderKeys.statusPartition(tenant, 'shipped'),
    });
    expect((await orders.getOrder(tenant, order.orderId))?.timeline).toEqual([
      {
        eventId: shipped.dynamodb?.NewImage?.eventId?.S,
        type: 'shipped',
        occurredAt: '2026-01-02T10:00:00Z',
        carrier: 'DHL',
        note: "O'Hare",
      },
    ]);
    expect(await eventOutcome(shipped)).toEqual({ status: 'accepted', reason: undefined });
  });

  it.each(['2026-02-30T10:00:00Z', '2025-02-29T10:00:00Z', '0000-01-01T10:00:00Z', '9999-12-31T10:00:00Z'])(
    'rejects an event that occurred on an impossible date (%s) and leaves the order as it was',
    async (occurredAt) => {
      const tenant = tenantId();
      const order = await orderIn(tenant, 'confirmed');
      const shipped = await postEvent(tenant, order.orderId, 'shipped', occurredAt);

      expect(await deliver(shipped)).toEqual({ batchItemFailures: [] });

      expect(await stored(orderKeys.order(tenant, order.orderId))).toMatchObject({
        status: 'confirmed',
        version: 1,
      });
      expect((await orders.getOrder(tenant, order.orderId))?.timeline ?? []).toEqual([]);
      expect(await eventOutcome(shipped)).toEqual({
        status: 'rejected',
        reason: expect.stringContaining(`occurredAt '${occurredAt}' is not a date-time of a calendar day`),
      });
    },
  );

  it('treats a redelivered record as harmless: the order changes once and the outcome stays accepted', async () => {
    const tenant = tenantId();
    const order = await orderIn(tenant, 'confirmed');
    const picked = await postEvent(tenant, order.orderId, 'picked', '2026-01-02T09:00:00Z');

    await deliver(picked);
    await deliver(picked, picked);

    const after = await orders.getOrder(tenant, order.orderId);
    expect(after).toMatchObject({ status: 'confirmed', version: 2 });
    expect(after?.timeline).toHaveLength(1);
    expect(await eventOutcome(picked)).toEqual({ status: 'accepted', reason: undefined });
  });

  it('takes delivered before shipped, then keeps the late shipped as rejected without moving the order back', async () => {
    const tenant = tenantId();
    const order = await orderIn(tenant, 'confirmed');
    const delivered = await postEvent(tenant, order.orderId, 'delivered', '2026-01-03T10:00:00Z');
    const shipped = await postEvent(tenant, order.orderId, 'shipped', '2026-01-02T10:00:00Z');

    await deliver(delivered, shipped);

    const after = await orders.getOrder(tenant, order.orderId);
    expect(after).toMatchObject({ status: 'delivered', version: 2 });
    expect(after?.timeline?.map((e) => e.type)).toEqual(['delivered']);
    expect(await eventOutcome(shipped)).toEqual({
      status: 'rejected',
      reason: "a 'shipped' event applies to orders that are confirmed; this order is 'delivered'",
    });
  });

  it('runs a lifecycle through to returned, rejecting a picked that arrives after shipped', async () => {
    const tenant = tenantId();
    const order = await orderIn(tenant, 'confirmed');
    await deliver(
      await postEvent(tenant, order.orderId, 'shipped', '2026-01-02T12:00:00+02:00'),
      await postEvent(tenant, order.orderId, 'picked', '2026-01-02T09:30:00Z'),
      await postEvent(tenant, order.orderId, 'delivered', '2026-01-04T08:00:00Z'),
      await postEvent(tenant, order.orderId, 'returned', '2026-01-09T08:00:00Z'),
    );

    const after = await orders.getOrder(tenant, order.orderId);
    // picked applies only while confirmed: it came after shipped, so it is rejected, not applied out of order.
    expect(after).toMatchObject({ status: 'returned', version: 4 });
    expect(after?.timeline?.map((e) => e.type)).toEqual(['shipped', 'delivered', 'returned']);
  });

  it('keeps a second event of the same type as rejected with the reason', async () => {
    const tenant = tenantId();
    const order = await orderIn(tenant, 'confirmed');
    await deliver(await postEvent(tenant, order.orderId, 'picked', '2026-01-02T09:00:00Z'));
    const again = await postEvent(tenant, order.orderId, 'picked', '2026-01-02T09:05:00Z');

    await deliver(again);

    expect(await orders.getOrder(tenant, order.orderId)).toMatchObject({ version: 2 });
    expect(await eventOutcome(again)).toEqual({
      status: 'rejected',
      reason: "the order already has a 'picked' event",
    });
  });

  it.each([
    ['pending', 'shipped'],
    ['cancelled', 'delivered'],
    ['shipped', 'returned'],
  ] as const)(
    'rejects an event a %s order cannot take (%s) and leaves the order as it was',
    async (status, type) => {
      const tenant = tenantId();
      const order = await orderIn(tenant, status);
      const event = await postEvent(tenant, order.orderId, type, '2026-01-02T09:00:00Z');

      await deliver(event);

      expect(await stored(orderKeys.order(tenant, order.orderId))).toMatchObject({ status, version: 1 });
      expect(await eventOutcome(event)).toMatchObject({
        status: 'rejected',
        reason: expect.stringContaining(`this order is '${status}'`),
      });
    },
  );

  it("rejects an event naming another tenant's order id, which stays untouched", async () => {
    const owner = tenantId();
    const intruder = tenantId();
    const order = await orderIn(owner, 'confirmed');
    const event = await postEvent(intruder, order.orderId, 'delivered', '2026-01-02T09:00:00Z');

    await deliver(event);

    expect(await stored(orderKeys.order(owner, order.orderId))).toMatchObject({
      status: 'confirmed',
      version: 1,
    });
    expect(await stored(orderKeys.order(intruder, order.orderId))).toBeUndefined();
    expect(await eventOutcome(event)).toEqual({
      status: 'rejected',
      reason: 'unknown order: no order with this id for the tenant',
    });
  });

  it('passes over an event item whose key does not match the tenant it claims, applying nothing', async () => {
    const owner = tenantId();
    const order = await orderIn(owner, 'confirmed');
    const event = await postEvent(tenantId(), order.orderId, 'shipped', '2026-01-02T09:00:00Z');
    const image = event.dynamodb?.NewImage ?? {};
    const forged: DynamoDBRecord = {
      ...event,
      dynamodb: { ...event.dynamodb, NewImage: { ...image, tenantId: { S: owner } } },
    };

    expect(await deliver(forged)).toEqual({ batchItemFailures: [] });
    expect(await stored(orderKeys.order(owner, order.orderId))).toMatchObject({
      status: 'confirmed',
      version: 1,
    });
  });
});
