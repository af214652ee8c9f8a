import { DeleteCommand, type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { type Connection, connectionCodec } from '../../shared/codecs/connection-codec';
import { documentClient } from '../../shared/dynamo';
import { connectionKeys } from '../../shared/keys/connection-keys';
import { TABLE } from '../../shared/table';

/** The broadcaster's access to the connection store: one tenant's live connections, and cleaning up one. */
export function createConnectionsReader(tableName: string, client: DynamoDBDocumentClient = documentClient) {
  return {
    /**
     * Every connection of the tenant that has not expired at `nowSeconds`, with one Query (paged). DynamoDB's
     * TTL deletes expired items only eventually, so the filter keeps a connection from outliving its token.
     */
    async listConnections(tenantId: string, nowSeconds: number): Promise<Connection[]> {
      const connections: Connection[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: '#ttl > :now',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':pk': connectionKeys.partition(tenantId), ':now': nowSeconds },
        },
      );
      for await (const page of pages) {
        connections.push(...(page.Items ?? []).map((item) => connectionCodec.fromItem(item)));
      }
      return connections;
    },

    async deleteConnection(tenantId: string, connectionId: string): Promise<void> {
      await client.send(
        new DeleteCommand({ TableName: tableName, Key: connectionKeys.connection(tenantId, connectionId) }),
      );
    },
  };
}

export type ConnectionsReader = ReturnType<typeof createConnectionsReader>;
