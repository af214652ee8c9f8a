import * as z from 'zod';
import { decodeItem } from '../../shared/codecs/stored-item';
import { ORDER_STATUSES } from '../orders/order-status';

/**
 * One accepted carrier event as the public tracking page shows it: what happened, when, and by which carrier.
 * An allow-list: whatever else an event carries (its id, partner notes, the tenant) is dropped.
 */
export const publicTimelineEntrySchema = z.object({
  type: z.string().min(1),
  occurredAt: z.string().min(1),
  carrier: z.string().optional(),
});

/** What `GET /public/track/{trackingId}` answers: the order's status and timeline, nothing else. */
export const trackingViewSchema = z.object({
  status: z.enum(ORDER_STATUSES),
  /** Orders get a timeline once carrier events are accepted for them; until then it is empty. */
  timeline: z.array(publicTimelineEntrySchema).default([]),
});
export type TrackingView = z.infer<typeof trackingViewSchema>;

/** The order attributes the tracking route reads: its projection, and its IAM attribute allow-list. */
export const TRACKING_VIEW_ATTRIBUTES = ['status', 'timeline'] as const;

/** Decodes an order read with `TRACKING_VIEW_ATTRIBUTES` (plus its key) into the public view. */
export function trackingViewFromItem(item: Record<string, unknown>): TrackingView {
  return decodeItem('order', trackingViewSchema, item);
}
