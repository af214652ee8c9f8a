import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AuditRecord, auditItem } from '../../shared/audit';
import {
  type TenantProfile,
  type TenantStatus,
  tenantProfileCodec,
} from '../../shared/codecs/tenant-profile-codec';
import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { documentClient } from '../../shared/dynamo';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { TENANT_DIRECTORY_PARTITION, tenantKeys } from '../../shared/keys/tenant-keys';
import { TABLE } from '../../shared/table';
import type { Tier } from '../../shared/tier';

/** One page of the directory; `nextToken` is present while more may follow. */
export interface DirectoryPage {
  readonly items: Record<string, unknown>[];
  readonly nextToken?: string;
}

/** A change of a tenant's profile, allowed only from the statuses in `from`, recorded in its audit trail. */
export interface ProfileChange {
  readonly from: readonly TenantStatus[];
  readonly set: { readonly status?: TenantStatus; readonly tier?: Tier };
  readonly audit: AuditRecord;
  readonly now: Date;
}

function unknownTenant(tenantId: string): NotFoundError {
  return new NotFoundError(`tenant '${tenantId}' does not exist`);
}

/**
 * The operators' access to tenant profiles: one profile by id, the directory (GSI1) page by page, and the
 * conditional changes of status and tier, each written in one transaction with its audit entry, so an action is
 * never applied without its record nor recorded without being applied.
 */
export function createTenantDirectory(tableName: string, client: DynamoDBDocumentClient = documentClient) {
  async function getProfile(tenantId: string): Promise<TenantProfile | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: tenantKeys.profile(tenantId), ConsistentRead: true }),
    );
    return Item ? tenantProfileCodec.fromItem(Item) : undefined;
  }

  /** The profile, or a 404 naming the id. */
  async function requireProfile(tenantId: string): Promise<TenantProfile> {
    const profile = await getProfile(tenantId);
    if (!profile) throw unknownTenant(tenantId);
    return profile;
  }

  /**
   * Applies `change` if the profile's status is one of `change.from`: 404 when there is no profile, 409 naming
   * the current status when it is in another. Returns the changed profile.
   */
  async function changeProfile(tenantId: string, change: ProfileChange): Promise<TenantProfile> {
    const names: Record<string, string> = {
      '#pk': TABLE.partitionKey,
      '#status': 'status',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = { ':now': change.now.toISOString() };
    const sets = ['#updatedAt = :now'];
    for (const [name, value] of Object.entries(change.set)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    const froms = change.from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: tenantKeys.profile(tenantId),
                UpdateExpression: `SET ${sets.join(', ')}`,
                ConditionExpression: `attribute_exists(#pk) AND #status IN (${froms.join(', ')})`,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
            { Put: { TableName: tableName, Item: auditItem(tenantId, change.audit, change.now) } },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === 'TransactionCanceledException')) throw error;
      const current = await requireProfile(tenantId);
      throw new ConflictError(`tenant '${tenantId}' is ${current.status}`, { status: current.status });
    }
    return requireProfile(tenantId);
  }

  /**
   * One page of the directory in tenant-id order, optionally only tenants whose `status` and `tier` match. A
   * filtered Query may return fewer matches than it read, so the page is filled by reading on; the cursor is the
   * key of the last item returned, so nothing is skipped.
   */
  async function listDirectory(options: {
    readonly limit: number;
    readonly nextToken?: string;
    readonly status?: string;
    readonly tier?: Tier;
  }): Promise<DirectoryPage> {
    const filters: string[] = [];
    const names: Record<string, string> = { '#pk': TABLE.gsi1.partitionKey };
    const values: Record<string, unknown> = { ':pk': TENANT_DIRECTORY_PARTITION };
    for (const name of ['status', 'tier'] as const) {
      if (options[name] === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = options[name];
      filters.push(`#${name} = :${name}`);
    }
    const keyNames = [TABLE.gsi1.sortKey, TABLE.partitionKey, TABLE.sortKey];
    let startKey: Record<string, unknown> | undefined = decodeCursor(
      options.nextToken,
      { [TABLE.gsi1.partitionKey]: TENANT_DIRECTORY_PARTITION },
      keyNames,
    );
    const items: Record<string, unknown>[] = [];
    let more = true;
    let leftOver = false;
    while (items.length < options.limit && more) {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.gsi1.name,
          KeyConditionExpression: '#pk = :pk',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          Limit: options.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (items.length < options.limit) items.push(item);
        else leftOver = true;
      }
      startKey = page.LastEvaluatedKey;
      more = startKey !== undefined;
    }
    const last = items.at(-1);
    // More may follow when the last Query stopped early, or when the page filled up before its items ran out.
    const nextToken =
      last !== undefined && (more || leftOver)
        ? encodeCursor(
            Object.fromEntries([TABLE.gsi1.partitionKey, ...keyNames].map((name) => [name, last[name]])),
          )
        : undefined;
    return { items, ...(nextToken ? { nextToken } : {}) };
  }

  return { getProfile, requireProfile, changeProfile, listDirectory };
}

/** The operators' tenant directory bound to a table. */
export type TenantDirectory = ReturnType<typeof createTenantDirectory>;
