import { tenantPrefix } from './tenant-prefix';

/**
 * Keys of an ingested order event (`POST /events`). Each order's events share a partition, so a partner posting
 * at volume spreads its writes over its orders rather than one tenant-wide partition, and an order's events
 * (accepted and rejected) can be queried together. The REST API's request template builds the same keys in
 * VTL (infra/event-ingestion-template.ts); a test holds the two together.
 */
export const orderEventKeys = {
  partition: (tenantId: string, orderId: string) => `${tenantPrefix(tenantId)}ORDER#${orderId}#EVENTS`,
  event: (tenantId: string, orderId: string, eventId: string) => ({
    PK: orderEventKeys.partition(tenantId, orderId),
    SK: `${ORDER_EVENT_SK_PREFIX}${eventId}`,
  }),
};

/** Every event item's sort key starts with this: the projector's stream filter selects on it. */
export const ORDER_EVENT_SK_PREFIX = 'EVENT#';
