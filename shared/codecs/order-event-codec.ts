import * as z from 'zod';

/** What a carrier or partner may report about an order (`POST /events` `type`). */
export const ORDER_EVENT_TYPES = ['picked', 'shipped', 'delivered', 'returned'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** Where an ingested event is: written `received` by API Gateway, then `accepted` or `rejected` by the projector. */
export const ORDER_EVENT_STATUSES = ['received', 'accepted', 'rejected'] as const;

/** Order ids are `ids.sortableId()`: 26 Crockford base32 characters. */
export const EVENT_ORDER_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * An ingested event as stored (an allow-list: key attributes are dropped). API Gateway writes it with the
 * request template — no code of ours runs before the projector reads it — so every reader decodes it.
 */
export const storedOrderEvent = z.object({
  tenantId: z.string(),
  eventId: z.string().min(1),
  orderId: z.string().regex(EVENT_ORDER_ID_PATTERN),
  type: z.enum(ORDER_EVENT_TYPES),
  occurredAt: z.string(),
  receivedAt: z.number(),
  carrier: z.string().optional(),
  note: z.string().optional(),
  status: z.enum(ORDER_EVENT_STATUSES),
  reason: z.string().optional(),
});
export type StoredOrderEvent = z.infer<typeof storedOrderEvent>;

/** One accepted event on its order's timeline (what `GET /orders/{orderId}` shows). */
export const timelineEntry = z.object({
  eventId: z.string(),
  type: z.enum(ORDER_EVENT_TYPES),
  occurredAt: z.string(),
  carrier: z.string().optional(),
  note: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;
