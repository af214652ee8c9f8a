import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { catalogItemCodec } from '../../shared/codecs/catalog-item-codec';
import { type TimelineEntry, timelineEntry } from '../../shared/codecs/order-event-codec';
import { decodeItem } from '../../shared/codecs/stored-item';
import { trackingPointerCodec } from '../../shared/codecs/tracking-pointer-codec';
import { isConditionFailure } from '../../shared/condition-failure';
import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { documentClient } from '../../shared/dynamo';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { ENTITY_ATTRIBUTE, ENTITY_TYPES } from '../../shared/keys/entity-type';
import { orderKeys } from '../../shared/keys/order-keys';
import { TABLE } from '../../shared/table';
import { type TableClients, tableClients } from '../../shared/table-clients';
import { ORDER_STATUSES, type OrderStatus } from './order-status';
import type { CatalogPrice, OrderLine } from './pricing';

/** An order as the API returns it (no key attributes). */
export interface Order {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly items: OrderLine[];
  readonly currency: string;
  readonly total: number;
  readonly note?: string;
  readonly version: number;
  /** Capability for the public tracking route; anyone holding it can see the order's status. */
  readonly trackingId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The user id of the creator. */
  readonly createdBy: string;
  /** Carrier events accepted by the projector (POST /events), oldest first; absent until there is one. */
  readonly timeline?: TimelineEntry[];
}

/** One page of a listing; `nextToken` is present while more may follow. */
export interface OrderPage {
  readonly items: Order[];
  readonly nextToken?: string;
}

/** A status or note change guarded by the version the caller last saw. */
export interface OrderChange {
  /** The version the caller last saw; omitted, any version matches (the status condition still guards). */
  readonly expectedVersion?: number;
  /** New status, allowed only from `fromStatuses`. */
  readonly status?: { readonly to: OrderStatus; readonly fromStatuses: readonly OrderStatus[] };
  /** A string replaces the note, `null` removes it, `undefined` leaves it. */
  readonly note?: string | null;
  readonly now: string;
}

const ORDER_SK_PREFIX = 'ORDER#';
const BATCH_GET_ATTEMPTS = 5;

// Stored orders are parsed, not cast: the allow-list drops key attributes (and anything another writer
// adds), and a corrupt item fails loudly instead of reaching a client half-formed.
const storedOrder = z.object({
  orderId: z.string(),
  status: z.enum(ORDER_STATUSES),
  items: z.array(
    z.object({
      sku: z.string(),
      name: z.string(),
      quantity: z.number(),
      unitPrice: z.number(),
      lineTotal: z.number(),
    }),
  ),
  currency: z.string(),
  total: z.number(),
  note: z.string().optional(),
  version: z.number(),
  trackingId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  timeline: z
    .array(timelineEntry)
    .optional()
    .transform((entries) =>
      entries === undefined
        ? undefined
        : [...entries].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt)),
    ),
});

/**
 * The table item for `order` of `tenantId`: the order's attributes plus its primary and status-index keys, and
 * its entity name (the table stream's consumers select orders by it).
 */
export function toItem(tenantId: string, order: Order): Record<string, unknown> {
  return {
    ...orderKeys.order(tenantId, order.orderId),
    ...orderKeys.statusIndex(tenantId, order.status, order.orderId),
    [ENTITY_ATTRIBUTE]: ENTITY_TYPES.order,
    ...order,
  };
}

/**
 * The API view of a stored order item, without key attributes.
 * @throws CorruptItemError naming the item's key when the stored order does not decode.
 */
export function fromItem(item: Record<string, unknown>): Order {
  return decodeItem('order', storedOrder, item);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * All DynamoDB access of the orders service. Every operation is scoped to one tenant's partition by
 * construction: keys come from shared/keys, reads are Get/Query (never Scan), cursors are checked
 * against the partition being queried.
 */
export function createOrdersRepository(
  tableName: string,
  clients: DynamoDBDocumentClient | TableClients = documentClient,
) {
  const { forTenant, own } = tableClients(clients);
  async function getOrder(tenantId: string, orderId: string): Promise<Order | undefined> {
    const { Item } = await forTenant(tenantId).send(
      new GetCommand({ TableName: tableName, Key: orderKeys.order(tenantId, orderId), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  return {
    /** The catalog entries of `skus` that exist in the tenant's catalog, keyed by SKU. */
    async getCatalogPrices(tenantId: string, skus: readonly string[]): Promise<Map<string, CatalogPrice>> {
      const prices = new Map<string, CatalogPrice>();
      let keys: Record<string, unknown>[] = [...new Set(skus)].map((sku) => catalogKeys.item(tenantId, sku));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt >= BATCH_GET_ATTEMPTS) throw new Error('catalog lookup kept returning unprocessed keys');
        if (attempt > 0) await delay(25 * 2 ** attempt);
        const result = await forTenant(tenantId).send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[tableName] ?? []) {
          // The catalog service's own codec: an item it would refuse to serve is not priced either.
          const entry = catalogItemCodec.fromItem(item);
          prices.set(entry.sku, entry);
        }
        keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
      return prices;
    },

    /**
     * Writes a new order and its tracking pointer; the conditions make sure neither ever overwrites another item.
     * The pointer goes first: with no transactions, a failure between the two writes leaves a pointer to no order
     * (which tracks as the same 404 as an unknown id), never an order that cannot be tracked. Writing the same
     * pointer again is allowed, so a retried request (same order id, same tracking id) completes what a crashed
     * one began. Returns 'exists' when the order was already there (nothing was changed).
     */
    async putNewOrder(tenantId: string, order: Order): Promise<'created' | 'exists'> {
      await own.send(
        new PutCommand({
          TableName: tableName,
          Item: trackingPointerCodec.toItem({
            trackingId: order.trackingId,
            tenantId,
            orderId: order.orderId,
          }),
          ConditionExpression: 'attribute_not_exists(#pk) OR (#tenantId = :tenantId AND #orderId = :orderId)',
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            '#tenantId': 'tenantId',
            '#orderId': 'orderId',
          },
          ExpressionAttributeValues: { ':tenantId': tenantId, ':orderId': order.orderId },
        }),
      );
      try {
        await forTenant(tenantId).send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(tenantId, order),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          }),
        );
        return 'created';
      } catch (error) {
        if (isConditionFailure(error)) return 'exists';
        throw error;
      }
    },

    /**
     * Writes many new orders (a bulk import): their tracking pointers in BatchWriteItem requests of 25 (a pointer's
     * key is a fresh random secret, so no condition is needed for it never to overwrite another), then each order
     * with the same conditional put as `putNewOrder`. Same guarantees, a third of the requests.
     */
    async putNewOrders(
      tenantId: string,
      orders: readonly Order[],
      concurrency: number,
    ): Promise<Array<'created' | 'exists'>> {
      for (let i = 0; i < orders.length; i += 25) {
        let pending: Record<string, unknown>[] | undefined = orders.slice(i, i + 25).map((order) => ({
          PutRequest: {
            Item: trackingPointerCodec.toItem({
              trackingId: order.trackingId,
              tenantId,
              orderId: order.orderId,
            }),
          },
        }));
        for (let attempt = 0; pending && pending.length > 0; attempt++) {
          if (attempt > 0)
            await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
          if (attempt > 8)
            throw new Error('BatchWriteItem left tracking pointers unprocessed after 8 retries');
          const { UnprocessedItems } = await own.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
          );
          pending = UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
        }
      }
      const outcomes: Array<'created' | 'exists'> = [];
      for (let i = 0; i < orders.length; i += concurrency) {
        const settled = await Promise.allSettled(
          orders.slice(i, i + concurrency).map(async (order) => {
            try {
              await forTenant(tenantId).send(
                new PutCommand({
                  TableName: tableName,
                  Item: toItem(tenantId, order),
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
                }),
              );
              return 'created' as const;
            } catch (error) {
              if (isConditionFailure(error)) return 'exists' as const;
              throw error;
            }
          }),
        );
        for (const outcome of settled) {
          if (outcome.status === 'rejected') throw outcome.reason;
          outcomes.push(outcome.value);
        }
      }
      return outcomes;
    },

    getOrder,

    /**
     * One page of the tenant's orders, newest first (order ids sort by time), optionally only those in
     * `status` (via GSI1). The token is only accepted for the same tenant and the same kind of listing.
     */
    async listOrders(
      tenantId: string,
      options: { readonly limit: number; readonly status?: OrderStatus; readonly nextToken?: string },
    ): Promise<OrderPage> {
      const byStatus = options.status !== undefined;
      const partition = orderKeys.partition(tenantId);
      const exclusiveStartKey =
        options.status === undefined
          ? decodeCursor(options.nextToken, { [TABLE.partitionKey]: partition }, [TABLE.sortKey])
          : decodeCursor(
              options.nextToken,
              {
                [TABLE.gsi1.partitionKey]: orderKeys.statusPartition(tenantId, options.status),
                [TABLE.partitionKey]: partition,
              },
              [TABLE.gsi1.sortKey, TABLE.sortKey],
            );
      const result = await forTenant(tenantId).send(
        new QueryCommand({
          TableName: tableName,
          ...(byStatus ? { IndexName: TABLE.gsi1.name } : {}),
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: byStatus
            ? { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey }
            : { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: {
            ':pk':
              options.status === undefined ? partition : orderKeys.statusPartition(tenantId, options.status),
            ':prefix': ORDER_SK_PREFIX,
          },
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      const nextToken = encodeCursor(result.LastEvaluatedKey);
      return { items: (result.Items ?? []).map(fromItem), ...(nextToken ? { nextToken } : {}) };
    },

    /**
     * Applies `change` if the order exists, is still at `expectedVersion` and (for a status change) is in
     * one of the allowed source statuses. Returns the updated order, or `undefined` when the condition
     * failed; the caller re-reads to tell why (DynamoDB Local engines ignore
     * ReturnValuesOnConditionCheckFailure, so the old image cannot be relied on).
     */
    async updateOrder(tenantId: string, orderId: string, change: OrderChange): Promise<Order | undefined> {
      const names: Record<string, string> = {
        '#pk': TABLE.partitionKey,
        '#version': 'version',
        '#updatedAt': 'updatedAt',
        '#entity': ENTITY_ATTRIBUTE,
      };
      const values: Record<string, unknown> = {
        ':one': 1,
        ':now': change.now,
        ':entity': ENTITY_TYPES.order,
      };
      // The entity name is set on every change too, so orders written before it existed reach the stream's
      // consumers from their next change on.
      const set = ['#version = #version + :one', '#updatedAt = :now', '#entity = :entity'];
      const remove: string[] = [];
      const conditions = ['attribute_exists(#pk)'];
      if (change.expectedVersion !== undefined) {
        values[':expected'] = change.expectedVersion;
        conditions.push('#version = :expected');
      }
      if (change.status) {
        names['#status'] = 'status';
        names['#gsi1pk'] = TABLE.gsi1.partitionKey;
        values[':status'] = change.status.to;
        values[':gsi1pk'] = orderKeys.statusPartition(tenantId, change.status.to);
        set.push('#status = :status', '#gsi1pk = :gsi1pk');
        const froms = change.status.fromStatuses.map((from, i) => {
          values[`:from${i}`] = from;
          return `:from${i}`;
        });
        // An empty IN list is a syntax error; no source status means the condition can never hold.
        conditions.push(froms.length > 0 ? `#status IN (${froms.join(', ')})` : 'attribute_not_exists(#pk)');
      }
      if (change.note !== undefined) {
        names['#note'] = 'note';
        if (change.note === null) remove.push('#note');
        else {
          values[':note'] = change.note;
          set.push('#note = :note');
        }
      }
      try {
        const { Attributes } = await forTenant(tenantId).send(
          new UpdateCommand({
            TableName: tableName,
            Key: orderKeys.order(tenantId, orderId),
            UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (!Attributes) throw new Error('UpdateItem returned no attributes');
        return fromItem(Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
  };
}

/** The orders repository bound to a table. */
export type OrdersRepository = ReturnType<typeof createOrdersRepository>;
