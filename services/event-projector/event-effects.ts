import type { OrderEventType } from '../../shared/codecs/order-event-codec';
import type { OrderStatus } from '../orders/order-status';

/** What an accepted event does to its order: the statuses it applies from, and the status it moves to. */
export interface EventEffect {
  readonly from: readonly OrderStatus[];
  /** Absent: the event is recorded on the timeline and the order's version moves, its status does not. */
  readonly to?: OrderStatus;
}

/**
 * The carrier lifecycle. Each event type applies at most once per order, and only forward: `delivered` may
 * arrive before `shipped` (the late `shipped` is then rejected, not applied backwards), and nothing moves an
 * order out of `delivered` except `returned`. Pending and cancelled orders never take carrier events.
 */
export const EVENT_EFFECTS: Readonly<Record<OrderEventType, EventEffect>> = {
  picked: { from: ['confirmed'] },
  shipped: { from: ['confirmed'], to: 'shipped' },
  delivered: { from: ['confirmed', 'shipped'], to: 'delivered' },
  returned: { from: ['delivered'], to: 'returned' },
};

/** Why an event that did not apply was rejected, from the order as it is now. */
export function rejectionReason(
  type: OrderEventType,
  order: { readonly status: OrderStatus; readonly eventTypes: readonly string[] } | undefined,
): string {
  if (!order) return 'unknown order: no order with this id for the tenant';
  if (order.eventTypes.includes(type)) return `the order already has a '${type}' event`;
  return `a '${type}' event applies to orders that are ${EVENT_EFFECTS[type].from.join(' or ')}; this order is '${order.status}'`;
}
