import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { TimelineEntry } from '../../shared/codecs/order-event-codec';
import { decodeItem } from '../../shared/codecs/stored-item';
import { isConditionFailure } from '../../shared/condition-failure';
import { documentClient } from '../../shared/dynamo';
import { orderEventKeys } from '../../shared/keys/order-event-keys';
import { orderKeys } from '../../shared/keys/order-keys';
import { TABLE } from '../../shared/table';
import { ORDER_STATUSES } from '../orders/order-status';
import type { EventEffect } from './event-effects';

/** What the projector reads of an order: its status, and which event types (and event ids) it has taken. */
export interface OrderProjectionState {
  readonly status: (typeof ORDER_STATUSES)[number];
  readonly eventTypes: readonly string[];
  readonly eventIds: readonly string[];
}

const storedState = z.object({
  status: z.enum(ORDER_STATUSES),
  eventTypes: z.set(z.string()).optional(),
  timeline: z.array(z.object({ eventId: z.string() })).optional(),
});

/** The projector's DynamoDB access: one conditional update per event on its order, and the event's outcome. */
export function createProjectionRepository(
  tableName: string,
  client: DynamoDBDocumentClient = documentClient,
) {
  return {
    /**
     * Applies an event to its order in one conditional update: the order exists, is in one of the effect's
     * source statuses and has no event of this type yet; then the entry joins the timeline, the version
     * moves by one and (if the effect says so) the status and its index key change. False when the
     * condition failed (the caller re-reads to say why).
     */
    async applyToOrder(
      tenantId: string,
      orderId: string,
      entry: TimelineEntry,
      effect: EventEffect,
      now: string,
    ): Promise<boolean> {
      const names: Record<string, string> = {
        '#pk': TABLE.partitionKey,
        '#status': 'status',
        '#timeline': 'timeline',
        '#eventTypes': 'eventTypes',
        '#version': 'version',
        '#updatedAt': 'updatedAt',
      };
      const values: Record<string, unknown> = {
        ':entry': [entry],
        ':empty': [],
        ':one': 1,
        ':now': now,
        ':type': entry.type,
        ':types': new Set([entry.type]),
      };
      const froms = effect.from.map((status, i) => {
        values[`:from${i}`] = status;
        return `:from${i}`;
      });
      const set = [
        '#timeline = list_append(if_not_exists(#timeline, :empty), :entry)',
        '#version = #version + :one',
        '#updatedAt = :now',
      ];
      if (effect.to) {
        names['#gsi1pk'] = TABLE.gsi1.partitionKey;
        values[':to'] = effect.to;
        values[':gsi1pk'] = orderKeys.statusPartition(tenantId, effect.to);
        set.push('#status = :to', '#gsi1pk = :gsi1pk');
      }
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: orderKeys.order(tenantId, orderId),
            UpdateExpression: `SET ${set.join(', ')} ADD #eventTypes :types`,
            ConditionExpression: `attribute_exists(#pk) AND #status IN (${froms.join(', ')}) AND NOT contains(#eventTypes, :type)`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    /** The order as the projector needs it, read consistently; undefined when the tenant has no such order. */
    async orderState(tenantId: string, orderId: string): Promise<OrderProjectionState | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: orderKeys.order(tenantId, orderId),
          ConsistentRead: true,
          ProjectionExpression: '#status, #eventTypes, #timeline',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#eventTypes': 'eventTypes',
            '#timeline': 'timeline',
          },
        }),
      );
      if (!Item) return undefined;
      const state = decodeItem('order', storedState, Item);
      return {
        status: state.status,
        eventTypes: [...(state.eventTypes ?? [])],
        eventIds: (state.timeline ?? []).map((e) => e.eventId),
      };
    },

    /**
     * Records the outcome on the event item, once: only an event still `received` changes, so a redelivered
     * record cannot flip an outcome already written.
     */
    async settleEvent(
      tenantId: string,
      orderId: string,
      eventId: string,
      outcome: { readonly status: 'accepted' | 'rejected'; readonly reason?: string },
      now: string,
    ): Promise<void> {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: orderEventKeys.event(tenantId, orderId, eventId),
            UpdateExpression: `SET #status = :status, #processedAt = :now${outcome.reason === undefined ? '' : ', #reason = :reason'}`,
            ConditionExpression: '#status = :received',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#processedAt': 'processedAt',
              ...(outcome.reason === undefined ? {} : { '#reason': 'reason' }),
            },
            ExpressionAttributeValues: {
              ':status': outcome.status,
              ':now': now,
              ':received': 'received',
              ...(outcome.reason === undefined ? {} : { ':reason': outcome.reason }),
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}

export type ProjectionRepository = ReturnType<typeof createProjectionRepository>;
