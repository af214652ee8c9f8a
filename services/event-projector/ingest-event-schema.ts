import * as z from 'zod';
import { EVENT_ORDER_ID_PATTERN, ORDER_EVENT_TYPES } from '../../shared/codecs/order-event-codec';

/** Limits of the `POST /events` contract, shared by the gateway's model and the tests. */
export const MAX_EVENT_CARRIER_LENGTH = 64;
export const MAX_EVENT_NOTE_LENGTH = 500;

/** ISO 8601 date-time with seconds and an offset (`2026-05-01T10:00:00Z`, `…+02:00`, fractions allowed). */
export const ISO_DATE_TIME_PATTERN =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/**
 * Body of `POST /events`. No function reads it before it is stored: API Gateway validates it against the
 * model generated from this schema, and the request template writes it. Everything else (tenant, event id,
 * time received) comes from the gateway's context, never from the body.
 */
export const ingestEventSchema = z.strictObject({
  orderId: z.string().regex(EVENT_ORDER_ID_PATTERN),
  type: z.enum(ORDER_EVENT_TYPES),
  occurredAt: z.string().regex(ISO_DATE_TIME_PATTERN),
  carrier: z.string().min(1).max(MAX_EVENT_CARRIER_LENGTH).optional(),
  note: z.string().max(MAX_EVENT_NOTE_LENGTH).optional(),
});
export type IngestEventInput = z.infer<typeof ingestEventSchema>;
