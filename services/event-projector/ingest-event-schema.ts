import * as z from 'zod';
import { EVENT_ORDER_ID_PATTERN, ORDER_EVENT_TYPES } from '../../shared/codecs/order-event-codec';

/** Limits of the `POST /events` contract, shared by the gateway's model and the tests. */
export const MAX_EVENT_CARRIER_LENGTH = 64;
export const MAX_EVENT_NOTE_LENGTH = 500;

/** The years an event may have occurred in: a carrier's clock at year 0000 or 9999 is wrong, not a date to show. */
export const EVENT_YEARS = { first: 2000, last: 2099 } as const;

/**
 * A day of the calendar in {@link EVENT_YEARS}, as a pattern: months have their own lengths, and 29 February only
 * in leap years (every fourth year, 2000 included, is one in 2000-2099). `POST /events` has no function before the
 * write, so the gateway's model (JSON Schema draft-04, which has no `date-time` format) is the only check there is;
 * written with plain groups, so any ECMA 262 or Java regex engine reads it alike.
 */
const CALENDAR_DAY =
  '(20[0-9]{2}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))' +
  '|20([02468][048]|[13579][26])-02-29)';

/** ISO 8601 date-time of a real day, with seconds and an offset (`2026-05-01T10:00:00Z`, `…+02:00`, fractions allowed). */
export const ISO_DATE_TIME_PATTERN = new RegExp(
  `^${CALENDAR_DAY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`,
);

/**
 * Whether `value` is a date-time an event may carry. The pattern itself admits only real calendar days of the
 * supported years (a unit test holds it to the calendar), so the projector's check is the gateway model's.
 */
export function isEventDateTime(value: string): boolean {
  return ISO_DATE_TIME_PATTERN.test(value);
}

/**
 * Body of `POST /events`. No function reads it before it is stored: API Gateway validates it against the
 * model generated from this schema, and the request template writes it. Everything else (tenant, event id,
 * time received) comes from the gateway's context, never from the body.
 */
export const ingestEventSchema = z.strictObject({
  orderId: z.string().regex(EVENT_ORDER_ID_PATTERN),
  type: z.enum(ORDER_EVENT_TYPES),
  occurredAt: z
    .string()
    .regex(
      ISO_DATE_TIME_PATTERN,
      'must be an ISO 8601 date-time of a calendar day in 2000-2099 with an offset',
    ),
  carrier: z.string().min(1).max(MAX_EVENT_CARRIER_LENGTH).optional(),
  note: z.string().max(MAX_EVENT_NOTE_LENGTH).optional(),
});
export type IngestEventInput = z.infer<typeof ingestEventSchema>;
