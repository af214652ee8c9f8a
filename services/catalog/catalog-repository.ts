import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type CatalogItem, catalogItemCodec } from '../../shared/codecs/catalog-item-codec';
import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { documentClient } from '../../shared/dynamo';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { TABLE } from '../../shared/table';
import { type TableClients, tableClients } from '../../shared/table-clients';

/** One page of a tenant's catalog. */
export interface CatalogPage {
  readonly items: CatalogItem[];
  readonly nextToken?: string;
}

/** The catalog's DynamoDB access, bound to the table it is configured with. */
export function createCatalogRepository(
  tableName: string,
  clients: DynamoDBDocumentClient | TableClients = documentClient,
) {
  const { forTenant } = tableClients(clients);
  /** Lists one tenant's catalog by Query on its own partition; a token pointing anywhere else is a 400. */
  async function listCatalogItems(tenantId: string, limit: number, nextToken?: string): Promise<CatalogPage> {
    const partition = catalogKeys.partition(tenantId);
    const exclusiveStartKey = decodeCursor(nextToken, { [TABLE.partitionKey]: partition }, [TABLE.sortKey]);
    const { Items = [], LastEvaluatedKey } = await forTenant(tenantId).send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        ExpressionAttributeValues: { ':pk': partition },
        Limit: limit,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    const token = encodeCursor(LastEvaluatedKey);
    return { items: Items.map(catalogItemCodec.fromItem), ...(token ? { nextToken: token } : {}) };
  }

  /** One item of one tenant's catalog, or undefined. */
  async function getCatalogItem(tenantId: string, sku: string): Promise<CatalogItem | undefined> {
    const { Item } = await forTenant(tenantId).send(
      new GetCommand({ TableName: tableName, Key: catalogKeys.item(tenantId, sku), ConsistentRead: true }),
    );
    return Item ? catalogItemCodec.fromItem(Item) : undefined;
  }

  /**
   * Creates or replaces an item and says which happened. The old image comes back from the same atomic Put,
   * so of two concurrent first writes exactly one is reported as created (201), the other as replacing it.
   */
  async function putCatalogItem(tenantId: string, item: CatalogItem): Promise<{ created: boolean }> {
    const { Attributes } = await forTenant(tenantId).send(
      new PutCommand({
        TableName: tableName,
        Item: catalogItemCodec.toItem(tenantId, item),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { created: Attributes === undefined };
  }

  return { listCatalogItems, getCatalogItem, putCatalogItem };
}

/** The catalog repository bound to a table. */
export type CatalogRepository = ReturnType<typeof createCatalogRepository>;
