import { MAX_CONNECTION_SECONDS } from '../../shared/codecs/connection-codec';
import { NotFoundError, ValidationError } from '../../shared/errors';
import type { ConnectionRequest } from './connection-events';
import type { ConnectionsRepository } from './connections-repository';
import type { SubscribeMessage } from './message-schemas';

/** What a client is told after `subscribe`. */
export interface SubscribeReply {
  readonly type: 'subscribed';
  /** Absent: the connection hears about every order and job of its tenant. */
  readonly orderId?: string;
}

/**
 * The lifecycle of a tenant's WebSocket connections: stored on `$connect` (expiring with the token, and never
 * after API Gateway's 2-hour limit), narrowed by `subscribe`, deleted on `$disconnect`.
 */
export function createConnectionsService(repository: ConnectionsRepository) {
  return {
    async connect(request: ConnectionRequest): Promise<void> {
      const { caller } = request;
      const lifetimeEnd = Math.floor(request.connectedAt / 1000) + MAX_CONNECTION_SECONDS;
      const expiresAt = Math.min(caller.tokenExpiresAt, lifetimeEnd);
      if (expiresAt * 1000 <= request.connectedAt) {
        // The authorizer refuses expired tokens; one that expired in between is refused here too.
        throw new ValidationError('the token has expired');
      }
      await repository.putConnection({
        tenantId: caller.tenantId,
        userId: caller.userId,
        connectionId: request.connectionId,
        connectedAt: new Date(request.connectedAt).toISOString(),
        expiresAt,
      });
    },

    async disconnect(request: ConnectionRequest): Promise<void> {
      await repository.deleteConnection(request.caller.tenantId, request.connectionId);
    },

    /** Another tenant's order id is "not found", exactly like an id that does not exist; nothing is stored. */
    async subscribe(request: ConnectionRequest, message: SubscribeMessage): Promise<SubscribeReply> {
      const { tenantId } = request.caller;
      if (message.orderId !== undefined && !(await repository.orderExists(tenantId, message.orderId))) {
        throw new NotFoundError(`order '${message.orderId}' not found`);
      }
      if (!(await repository.setSubscription(tenantId, request.connectionId, message.orderId))) {
        throw new NotFoundError('this connection has expired: reconnect with a fresh token');
      }
      return message.orderId === undefined
        ? { type: 'subscribed' }
        : { type: 'subscribed', orderId: message.orderId };
    },
  };
}

export type ConnectionsService = ReturnType<typeof createConnectionsService>;
