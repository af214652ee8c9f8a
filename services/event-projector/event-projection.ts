import type { StoredOrderEvent, TimelineEntry } from '../../shared/codecs/order-event-codec';
import { EVENT_EFFECTS, rejectionReason } from './event-effects';
import { EVENT_YEARS, isEventDateTime } from './ingest-event-schema';
import type { ProjectionRepository } from './projection-repository';

export interface EventProjectionDependencies {
  readonly repository: ProjectionRepository;
  /** @default the wall clock */
  readonly now?: () => string;
}

/**
 * Applies ingested events to their orders. Safe to run twice on the same event (streams deliver at least
 * once) and in any order: the order takes each event type once and only forward (event-effects.ts), and an
 * event's outcome is written once. An event that does not apply is kept as `rejected` with the reason.
 */
export function createEventProjection({
  repository,
  now = () => new Date().toISOString(),
}: EventProjectionDependencies) {
  return {
    async project(event: StoredOrderEvent): Promise<'accepted' | 'rejected'> {
      const { tenantId, orderId, eventId, type } = event;
      const entry: TimelineEntry = {
        eventId,
        type,
        occurredAt: event.occurredAt,
        ...(event.carrier === undefined ? {} : { carrier: event.carrier }),
        ...(event.note === undefined ? {} : { note: event.note }),
      };
      const at = now();
      // The gateway's model refuses these; an item written any other way must still never reach the timeline.
      if (!isEventDateTime(event.occurredAt)) {
        const reason = `occurredAt '${event.occurredAt.slice(0, 40)}' is not a date-time of a calendar day in ${EVENT_YEARS.first}-${EVENT_YEARS.last}`;
        await repository.settleEvent(tenantId, orderId, eventId, { status: 'rejected', reason }, at);
        return 'rejected';
      }
      if (await repository.applyToOrder(tenantId, orderId, entry, EVENT_EFFECTS[type], at)) {
        await repository.settleEvent(tenantId, orderId, eventId, { status: 'accepted' }, at);
        return 'accepted';
      }
      const order = await repository.orderState(tenantId, orderId);
      // Already on the timeline: this is a redelivery of an event applied before its outcome was written.
      if (order?.eventIds.includes(eventId)) {
        await repository.settleEvent(tenantId, orderId, eventId, { status: 'accepted' }, at);
        return 'accepted';
      }
      const reason = rejectionReason(type, order);
      await repository.settleEvent(tenantId, orderId, eventId, { status: 'rejected', reason }, at);
      return 'rejected';
    },
  };
}

export type EventProjection = ReturnType<typeof createEventProjection>;
