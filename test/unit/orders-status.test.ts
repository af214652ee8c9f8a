import {
  allowedTransitions,
  assertTransition,
  canTransition,
  isCancellable,
  ORDER_STATUSES,
  type OrderStatus,
  sourcesOf,
} from '../../services/orders/order-status';
import { ConflictError } from '../../shared/errors';

const ALLOWED: Array<[OrderStatus, OrderStatus]> = [
  ['pending', 'confirmed'],
  ['confirmed', 'shipped'],
  ['shipped', 'delivered'],
];

describe('order status transitions', () => {
  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it('allows no other pair of statuses', () => {
    const allowed = new Set(ALLOWED.map(([from, to]) => `${from}>${to}`));
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
      }
    }
  });

  it.each<[OrderStatus, OrderStatus]>([
    ['pending', 'shipped'],
    ['pending', 'delivered'],
    ['confirmed', 'pending'],
    ['delivered', 'shipped'],
    ['shipped', 'shipped'],
    ['cancelled', 'confirmed'],
  ])('rejects %s → %s with a conflict naming both statuses', (from, to) => {
    expect(() => assertTransition(from, to)).toThrow(ConflictError);
    expect(() => assertTransition(from, to)).toThrow(`cannot change order status from '${from}' to '${to}'`);
  });

  it('lists the allowed targets in the conflict', () => {
    expect.assertions(3);
    try {
      assertTransition('pending', 'delivered');
    } catch (error) {
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).message).toContain('allowed: confirmed');
      expect((error as ConflictError).details).toEqual({
        currentStatus: 'pending',
        allowedStatuses: ['confirmed'],
      });
    }
  });

  it('never cancels through a status change and points to DELETE instead', () => {
    for (const from of ORDER_STATUSES) expect(canTransition(from, 'cancelled')).toBe(false);
    expect(() => assertTransition('pending', 'cancelled')).toThrow('cancel an order with DELETE');
  });

  it('says when a final status allows no change at all', () => {
    expect(allowedTransitions('delivered')).toEqual([]);
    expect(() => assertTransition('delivered', 'confirmed')).toThrow(
      "no status change is allowed from 'delivered'",
    );
  });

  it('knows which statuses lead to each target', () => {
    expect(sourcesOf('confirmed')).toEqual(['pending']);
    expect(sourcesOf('delivered')).toEqual(['shipped']);
    expect(sourcesOf('pending')).toEqual([]);
    expect(sourcesOf('cancelled')).toEqual([]);
  });

  it('cancels only orders that have not shipped', () => {
    expect(ORDER_STATUSES.filter(isCancellable)).toEqual(['pending', 'confirmed']);
  });
});
