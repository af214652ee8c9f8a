import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type CatalogItem, catalogItemCodec } from '../../shared/codecs/catalog-item-codec';
import { readConfig } from '../../shared/config';
import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { documentClient } from '../../shared/dynamo';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { TABLE } from '../../shared/table';

const { TABLE_NAME } = readConfig({ TABLE_NAME: z.string().min(1) });

/** One page of a tenant's catalog. */
export interface CatalogPage {
  readonly items: CatalogItem[];
  readonly nextToken?: string;
}

/** Lists one tenant's catalog by Query on its own partition; a token pointing anywhere else is a 400. */
export async function listCatalogItems(
  tenantId: string,
  limit: number,
  nextToken?: string,
): Promise<CatalogPage> {
  const partition = catalogKeys.partition(tenantId);
  const exclusiveStartKey = decodeCursor(nextToken, { [TABLE.partitionKey]: partition }, [TABLE.sortKey]);
  const { Items = [], LastEvaluatedKey } = await documentClient.send(
    new QueryCommand({
      TableName: TABLE_NAME,
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
export async function getCatalogItem(tenantId: string, sku: string): Promise<CatalogItem | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: TABLE_NAME, Key: catalogKeys.item(tenantId, sku), ConsistentRead: true }),
  );
  return Item ? catalogItemCodec.fromItem(Item) : undefined;
}

/**
 * Creates or replaces an item and says which happened. The old image comes back from the same atomic Put,
 * so of two concurrent first writes exactly one is reported as created (201), the other as replacing it.
 */
export async function putCatalogItem(tenantId: string, item: CatalogItem): Promise<{ created: boolean }> {
  const { Attributes } = await documentClient.send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: catalogItemCodec.toItem(tenantId, item),
      ReturnValues: 'ALL_OLD',
    }),
  );
  return { created: Attributes === undefined };
}
