import { ConflictError } from '../../shared/errors';

/** Every status an order can be in. */
export const ORDER_STATUSES = [
  'pending',
  'confirmed',
  'shipped',
  'delivered',
  'cancelled',
  'returned',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The forward-only lifecycle reachable through PATCH. Cancelling is deliberately absent: it is its own
 * operation (DELETE) with its own rules, so a status update can never cancel by accident.
 */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed'],
  confirmed: ['shipped'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
  // Only a carrier's `returned` event (POST /events) gets an order here.
  returned: [],
};

/** Statuses from which DELETE may cancel an order (nothing has left the warehouse yet). */
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['pending', 'confirmed'];

/** The statuses PATCH may move an order to from `from`. */
export function allowedTransitions(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

/** Whether PATCH may move an order from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses from which PATCH may reach `to`, used as the write's condition so a racing change cannot slip in. */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => canTransition(from, to));
}

/** Throws a ConflictError naming both statuses and what is allowed instead, unless `from → to` is allowed. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (canTransition(from, to)) return;
  const allowed = allowedTransitions(from);
  const instead =
    allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : `no status change is allowed from '${from}'`;
  const hint = to === 'cancelled' ? ' (cancel an order with DELETE)' : '';
  throw new ConflictError(`cannot change order status from '${from}' to '${to}'; ${instead}${hint}`, {
    currentStatus: from,
    allowedStatuses: [...allowed],
  });
}

/** Whether DELETE may cancel an order in `status`. */
export function isCancellable(status: OrderStatus): boolean {
  return CANCELLABLE_STATUSES.includes(status);
}
