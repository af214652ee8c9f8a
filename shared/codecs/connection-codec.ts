import * as z from 'zod';
import { connectionKeys } from '../keys/connection-keys';
import { ENTITY_ATTRIBUTE, ENTITY_TYPES } from '../keys/entity-type';
import { TENANT_ID_PATTERN } from '../keys/tenant-prefix';
import { TABLE } from '../table';
import { decodeItem, encodeAttributes } from './stored-item';

/** API Gateway closes every WebSocket connection after 2 hours, so no stored connection may outlive that. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;

/** A WebSocket connection of a tenant user, written on `$connect` and read by the broadcaster. */
export const connectionSchema = z.object({
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  userId: z.string().min(1),
  connectionId: z.string().min(1).max(128),
  /** ISO time of the handshake. */
  connectedAt: z.iso.datetime(),
  /** Epoch seconds (the table's TTL attribute): the token's `exp`, or the 2-hour cap if that comes first. */
  expiresAt: z.int().positive(),
  /** When set, the connection only hears about this order (`subscribe`). */
  orderId: z.string().min(1).optional(),
});
export type Connection = Readonly<z.infer<typeof connectionSchema>>;

/** Connection ⇄ table item, under the tenant's connections partition, with the TTL in `TABLE.ttlAttribute`. */
export const connectionCodec = {
  toItem(connection: Connection): Record<string, unknown> {
    const attributes = encodeAttributes('connection', connectionSchema, connection);
    return {
      ...connectionKeys.connection(connection.tenantId, connection.connectionId),
      [ENTITY_ATTRIBUTE]: ENTITY_TYPES.connection,
      ...attributes,
      [TABLE.ttlAttribute]: attributes.expiresAt,
    };
  },
  /** @throws CorruptItemError naming the item's key when the stored connection does not decode. */
  fromItem(item: Record<string, unknown>): Connection {
    return decodeItem('connection', connectionSchema, item);
  },
};
