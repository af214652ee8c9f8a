import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  AttributeValue as StreamAttributeValue,
} from 'aws-lambda';
import { type StoredOrderEvent, storedOrderEvent } from '../../shared/codecs/order-event-codec';
import { CorruptItemError, decodeItem } from '../../shared/codecs/stored-item';
import { instrumented } from '../../shared/instrumented-handler';
import { orderEventKeys } from '../../shared/keys/order-event-keys';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { logger } from '../../shared/logger';
import { TABLE } from '../../shared/table';
import { type EventProjectorConfig, readEventProjectorConfig } from './config';
import { createEventProjection } from './event-projection';
import { createProjectionRepository } from './projection-repository';

type Image = Record<string, StreamAttributeValue>;

/**
 * The event item of a stream record, decoded. Its key must be the one its own tenant, order and event id give:
 * an item that claims a tenant its partition does not carry is corrupt, never applied.
 */
function eventOf(image: Image): StoredOrderEvent {
  const item = unmarshall(image as Parameters<typeof unmarshall>[0]);
  const event = decodeItem('order event', storedOrderEvent, item);
  let expected: Record<string, string> | undefined;
  try {
    expected = orderEventKeys.event(event.tenantId, event.orderId, event.eventId);
  } catch {
    expected = undefined;
  }
  if (expected?.PK !== item[TABLE.partitionKey] || expected?.SK !== item[TABLE.sortKey]) {
    throw new CorruptItemError(
      'order event',
      { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
      'its key does not match its tenantId, orderId and eventId',
    );
  }
  return event;
}

/**
 * The projector: each new event item on the table's stream (the mapping's filter passes only those) is applied
 * to its order. Records are handled in order; the first that fails is reported, so the stream retries from it
 * (ReportBatchItemFailures) and nothing after it is skipped. A corrupt event item cannot succeed on retry: it
 * is logged with its key and passed over.
 */
export function createEventProjectorHandler(config: EventProjectorConfig) {
  const projection = createEventProjection({ repository: createProjectionRepository(config.TABLE_NAME) });
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || !image) continue;
      let decoded: StoredOrderEvent;
      try {
        decoded = eventOf(image);
      } catch (error) {
        if (!(error instanceof CorruptItemError)) throw error;
        logger.error('corrupt order event not projected', { error });
        continue;
      }
      try {
        const outcome = await projection.project(decoded);
        logger.info('order event projected', {
          tenantId: decoded.tenantId,
          eventId: decoded.eventId,
          type: decoded.type,
          outcome,
        });
      } catch (error) {
        logger.error('order event not projected; the stream retries from it', {
          tenantId: decoded.tenantId,
          eventId: decoded.eventId,
          error,
        });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() =>
  instrumented(createEventProjectorHandler(readEventProjectorConfig())),
);
