import * as z from 'zod';
import { TENANT_ID_PATTERN } from '../keys/tenant-prefix';
import { trackingKeys } from '../keys/tracking-keys';
import { decodeItem, encodeAttributes } from './stored-item';

/** A tracking id is `ids.secretId()`: 128 random bits, base64url without padding. */
export const TRACKING_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Where a tracking id leads: written by orders with the order, read by the public tracking route. */
export const trackingPointerSchema = z.object({
  trackingId: z.string().regex(TRACKING_ID_PATTERN),
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  orderId: z.string().min(1),
});
export type TrackingPointer = Readonly<z.infer<typeof trackingPointerSchema>>;

/** The attributes a reader needs from a pointer (a projection, and the IAM attribute allow-list). */
export const TRACKING_POINTER_ATTRIBUTES = ['tenantId', 'orderId'] as const;

/** Tracking pointer ⇄ table item. */
export const trackingPointerCodec = {
  toItem(pointer: TrackingPointer): Record<string, unknown> {
    return {
      ...trackingKeys.pointer(pointer.trackingId),
      ...encodeAttributes('tracking pointer', trackingPointerSchema, pointer),
    };
  },
  /** Decodes a pointer read with `TRACKING_POINTER_ATTRIBUTES`; the tracking id is the one it was read by. */
  fromProjection(trackingId: string, item: Record<string, unknown>): TrackingPointer {
    return decodeItem('tracking pointer', trackingPointerSchema, {
      ...trackingKeys.pointer(trackingId),
      ...item,
      trackingId,
    });
  },
};
