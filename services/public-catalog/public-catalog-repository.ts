import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  PUBLIC_CATALOG_ATTRIBUTES,
  type PublicCatalogItem,
  publicCatalogItemFromItem,
} from '../../shared/codecs/catalog-item-codec';
import { decodeItem } from '../../shared/codecs/stored-item';
import { tenantStatusSchema } from '../../shared/codecs/tenant-profile-codec';
import { tenantSlugRecordCodec } from '../../shared/codecs/tenant-slug-codec';
import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { documentClient } from '../../shared/dynamo';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { tenantSlugKeys } from '../../shared/keys/tenant-slug-keys';
import { TABLE } from '../../shared/table';

/** One page of a tenant's public catalog; `nextToken` is present while more may follow. */
export interface PublicCatalogPage {
  readonly items: PublicCatalogItem[];
  readonly nextToken?: string;
}

/** Attributes the public catalog reads of a slug record: the IAM allow-list is built from the same list. */
export const SLUG_RECORD_ATTRIBUTES = ['slug', 'tenantId', 'createdAt'] as const;

/** Attributes the public catalog reads of a tenant profile: only whether the tenant is ACTIVE. */
export const TENANT_STATUS_ATTRIBUTES = ['status'] as const;
const tenantStatusView = z.object({ status: tenantStatusSchema });

/** The attribute the public filter reads; it is read by the query, never returned. */
export const PUBLIC_FLAG_ATTRIBUTE = 'public';

/** `ProjectionExpression` and names for exactly `attributes`. */
function projection(attributes: readonly string[]) {
  return {
    ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
  };
}

/** Items read per Query while filling a page, so a catalog of mostly private items still pages quickly. */
const READ_BATCH = 100;

/**
 * The public catalog's DynamoDB access: the slug registry and the tenant profile's status (GetItem), and the
 * tenant's catalog partition (Query, filtered to public items, projected to public attributes). Nothing else is read, which IAM enforces too.
 */
export function createPublicCatalogRepository(
  tableName: string,
  client: DynamoDBDocumentClient = documentClient,
) {
  /**
   * The tenant a slug belongs to, if that tenant is ACTIVE: an onboarding, suspended or unknown tenant has no
   * storefront.
   */
  async function activeTenantOfSlug(slug: string): Promise<string | undefined> {
    const slugKey = tenantSlugKeys.slug(slug);
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: slugKey, ...projection(SLUG_RECORD_ATTRIBUTES) }),
    );
    if (!Item) return undefined;
    const { tenantId } = tenantSlugRecordCodec.fromItem({ ...slugKey, ...Item });
    const profileKey = tenantKeys.profile(tenantId);
    const profile = await client.send(
      new GetCommand({ TableName: tableName, Key: profileKey, ...projection(TENANT_STATUS_ATTRIBUTES) }),
    );
    if (!profile.Item) return undefined;
    const { status } = decodeItem('tenant profile', tenantStatusView, { ...profileKey, ...profile.Item });
    return status === 'ACTIVE' ? tenantId : undefined;
  }

  /**
   * Up to `limit` public items, in SKU order. A filtered Query may return fewer matches than it read, so pages
   * are filled by reading on; the cursor is the key of the last item returned (not DynamoDB's last-read key),
   * so the next page starts right after it and nothing is skipped. A token pointing outside this tenant's
   * catalog is a 400.
   */
  async function listPublicItems(
    tenantId: string,
    limit: number,
    nextToken?: string,
  ): Promise<PublicCatalogPage> {
    const partition = catalogKeys.partition(tenantId);
    let startKey: Record<string, unknown> | undefined = decodeCursor(
      nextToken,
      { [TABLE.partitionKey]: partition },
      [TABLE.sortKey],
    );
    const items: PublicCatalogItem[] = [];
    for (;;) {
      const { Items = [], LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: '#public = :true',
          ProjectionExpression: ['#pk', '#sk', ...PUBLIC_CATALOG_ATTRIBUTES.map((_, i) => `#a${i}`)].join(
            ', ',
          ),
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            '#sk': TABLE.sortKey,
            '#public': PUBLIC_FLAG_ATTRIBUTE,
            ...Object.fromEntries(PUBLIC_CATALOG_ATTRIBUTES.map((a, i) => [`#a${i}`, a])),
          },
          ExpressionAttributeValues: { ':pk': partition, ':true': true },
          Limit: READ_BATCH,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of Items) {
        if (items.length === limit) return page(items, startKey);
        items.push(publicCatalogItemFromItem(item));
        startKey = { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] };
      }
      if (LastEvaluatedKey === undefined) return page(items, undefined);
      startKey = LastEvaluatedKey;
      if (items.length === limit) return page(items, startKey);
    }
  }

  return { activeTenantOfSlug, listPublicItems };
}

/** A page whose token resumes right after `resumeAfter` (none when the catalog has been read to its end). */
function page(
  items: PublicCatalogItem[],
  resumeAfter: Record<string, unknown> | undefined,
): PublicCatalogPage {
  const nextToken = encodeCursor(resumeAfter);
  return { items, ...(nextToken ? { nextToken } : {}) };
}

/** The public catalog repository bound to a table. */
export type PublicCatalogRepository = ReturnType<typeof createPublicCatalogRepository>;
