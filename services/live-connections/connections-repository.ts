import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Connection, connectionCodec } from '../../shared/codecs/connection-codec';
import { isConditionFailure } from '../../shared/condition-failure';
import { documentClient } from '../../shared/dynamo';
import { connectionKeys } from '../../shared/keys/connection-keys';
import { orderKeys } from '../../shared/keys/order-keys';
import { TABLE } from '../../shared/table';
import { type TableClients, tableClients } from '../../shared/table-clients';

/**
 * The connection store: one item per open connection under its tenant's partition, expiring by TTL. Every key
 * is built from the tenant of the verified caller, and every call is made with that tenant's client (a session of
 * the tenant data role), so a connection can only touch its own tenant's items, by IAM as well as by code.
 */
export function createConnectionsRepository(
  tableName: string,
  clients: DynamoDBDocumentClient | TableClients = documentClient,
) {
  const { forTenant } = tableClients(clients);
  return {
    async putConnection(connection: Connection): Promise<void> {
      await forTenant(connection.tenantId).send(
        new PutCommand({ TableName: tableName, Item: connectionCodec.toItem(connection) }),
      );
    },

    /** Deleting a connection that is already gone (TTL, a 410 seen by the broadcaster) is not an error. */
    async deleteConnection(tenantId: string, connectionId: string): Promise<void> {
      await forTenant(tenantId).send(
        new DeleteCommand({ TableName: tableName, Key: connectionKeys.connection(tenantId, connectionId) }),
      );
    },

    /**
     * Narrows the connection to `orderId` (or widens it again when undefined). Returns false when the
     * connection is not stored (it expired or was cleaned up), so nothing is created by a late message.
     */
    async setSubscription(
      tenantId: string,
      connectionId: string,
      orderId: string | undefined,
    ): Promise<boolean> {
      try {
        await forTenant(tenantId).send(
          new UpdateCommand({
            TableName: tableName,
            Key: connectionKeys.connection(tenantId, connectionId),
            UpdateExpression: orderId === undefined ? 'REMOVE #order' : 'SET #order = :order',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#order': 'orderId' },
            ...(orderId === undefined ? {} : { ExpressionAttributeValues: { ':order': orderId } }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    /** Whether the tenant has this order; another tenant's order id is simply not found under this key. */
    async orderExists(tenantId: string, orderId: string): Promise<boolean> {
      const { Item } = await forTenant(tenantId).send(
        new GetCommand({
          TableName: tableName,
          Key: orderKeys.order(tenantId, orderId),
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return Item !== undefined;
    },
  };
}

export type ConnectionsRepository = ReturnType<typeof createConnectionsRepository>;
