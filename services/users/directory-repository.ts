import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { decodeItem } from '../../shared/codecs/stored-item';
import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { ConflictError } from '../../shared/errors';
import { USER_SK_PREFIX, userKeys } from '../../shared/keys/user-keys';
import type { Role } from '../../shared/role';
import { TABLE } from '../../shared/table';
import { type TableClients, tableClients } from '../../shared/table-clients';
import {
  addDirectoryUser,
  adminCountChange,
  cancelledBy,
  type DirectoryUser,
  directoryUserSchema,
  isActiveAdmin,
  readDirectoryUser,
} from '../../shared/user-directory';

/**
 * How long a deleted user's tombstone refuses the tokens issued before the deletion: the app client's longest
 * ID-token validity (60 minutes) with room for clock skew.
 */
export const TOMBSTONE_SECONDS = 2 * 60 * 60;

/** One page of a tenant's users; `nextToken` is present while more may follow. */
export interface DirectoryPage {
  readonly items: DirectoryUser[];
  readonly nextToken?: string;
}

/** What a change of a user leaves behind: the role and whether it is enabled. */
export interface UserState {
  readonly role: Role;
  readonly enabled: boolean;
}

/**
 * The tenant's user directory in the single table (see shared/user-directory.ts), every call made with the client
 * of the tenant it is about (a session of the tenant data role, which IAM confines to that tenant's partitions).
 */
export function createDirectoryRepository(tableName: string, clients: DynamoDBDocumentClient | TableClients) {
  const { forTenant } = tableClients(clients);
  /** The tenant's user, or undefined when its directory has none (or only the tombstone of a deleted one). */
  async function find(tenantId: string, userId: string): Promise<DirectoryUser | undefined> {
    const user = await readDirectoryUser(tableName, tenantId, userId, forTenant(tenantId));
    return user?.deletedAt === undefined ? user : undefined;
  }

  /** The tenant's user as its directory holds it, the tombstone of a deleted one included. */
  async function findWithTombstone(tenantId: string, userId: string): Promise<DirectoryUser | undefined> {
    return readDirectoryUser(tableName, tenantId, userId, forTenant(tenantId));
  }

  /** One page of the tenant's users (tombstones left out), by id. */
  async function list(
    tenantId: string,
    options: { readonly limit: number; readonly nextToken?: string | undefined },
  ): Promise<DirectoryPage> {
    const partition = userKeys.partition(tenantId);
    const result = await forTenant(tenantId).send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        FilterExpression: 'attribute_not_exists(deletedAt)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': partition, ':prefix': USER_SK_PREFIX },
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.nextToken, { [TABLE.partitionKey]: partition }, [
          TABLE.sortKey,
        ]),
      }),
    );
    const nextToken = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => decodeItem('directory user', directoryUserSchema, item)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  /**
   * Writes `user`'s new state if it is still `user` as read (otherwise another admin changed it first: 409), moving
   * the enabled-admin count with it. The last enabled admin's demotion or disabling is refused with a 409 that
   * says why.
   */
  async function update(
    tenantId: string,
    user: DirectoryUser,
    next: UserState,
    now: Date,
  ): Promise<DirectoryUser> {
    const updated: DirectoryUser = { ...user, ...next, updatedAt: now.toISOString() };
    await transact(tenantId, user, updated, {
      UpdateExpression: 'SET #role = :role, #enabled = :enabled, #updatedAt = :updatedAt',
      ExpressionAttributeNames: { '#role': 'role', '#enabled': 'enabled', '#updatedAt': 'updatedAt' },
      ExpressionAttributeValues: {
        ':role': updated.role,
        ':enabled': updated.enabled,
        ':updatedAt': updated.updatedAt,
      },
      lastAdminReason: 'the tenant needs an enabled admin: this is its last one',
    });
    return updated;
  }

  /** Replaces the user with a tombstone that refuses its old tokens until TTL removes it (see {@link TOMBSTONE_SECONDS}). */
  async function remove(tenantId: string, user: DirectoryUser, now: Date): Promise<void> {
    const removed: DirectoryUser = {
      ...user,
      enabled: false,
      updatedAt: now.toISOString(),
      deletedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + TOMBSTONE_SECONDS,
    };
    await transact(tenantId, user, removed, {
      UpdateExpression:
        'SET #enabled = :enabled, #updatedAt = :updatedAt, #deletedAt = :deletedAt, #expiresAt = :expiresAt',
      ExpressionAttributeNames: {
        '#enabled': 'enabled',
        '#updatedAt': 'updatedAt',
        '#deletedAt': 'deletedAt',
        '#expiresAt': TABLE.ttlAttribute,
      },
      ExpressionAttributeValues: {
        ':enabled': false,
        ':updatedAt': removed.updatedAt,
        ':deletedAt': removed.deletedAt,
        ':expiresAt': removed.expiresAt,
      },
      lastAdminReason: "the tenant's last enabled admin cannot be removed",
    });
  }

  async function transact(
    tenantId: string,
    before: DirectoryUser,
    after: DirectoryUser,
    change: {
      readonly UpdateExpression: string;
      readonly ExpressionAttributeNames: Record<string, string>;
      readonly ExpressionAttributeValues: Record<string, unknown>;
      readonly lastAdminReason: string;
    },
  ): Promise<void> {
    const delta = Number(isActiveAdmin(after)) - Number(isActiveAdmin(before));
    try {
      await forTenant(tenantId).send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: userKeys.user(tenantId, before.userId),
                UpdateExpression: change.UpdateExpression,
                // Still as read: the same role and state, not deleted.
                ConditionExpression:
                  '#seenRole = :seenRole AND #seenEnabled = :seenEnabled AND attribute_not_exists(#seenDeleted)',
                ExpressionAttributeNames: {
                  ...change.ExpressionAttributeNames,
                  '#seenRole': 'role',
                  '#seenEnabled': 'enabled',
                  '#seenDeleted': 'deletedAt',
                },
                ExpressionAttributeValues: {
                  ...change.ExpressionAttributeValues,
                  ':seenRole': before.role,
                  ':seenEnabled': before.enabled,
                },
              },
            },
            ...(delta === 0 ? [] : [adminCountChange(tableName, tenantId, delta > 0 ? 1 : -1)]),
          ],
        }),
      );
    } catch (error) {
      if (cancelledBy(error, 1)) throw new ConflictError(change.lastAdminReason);
      if (cancelledBy(error, 0)) {
        throw new ConflictError('the user was changed by another request: read it again and retry');
      }
      throw error;
    }
  }

  return {
    find,
    findWithTombstone,
    list,
    update,
    remove,
    add: (tenantId: string, user: Pick<DirectoryUser, 'userId' | 'email' | 'role'>, now: Date) =>
      addDirectoryUser(tableName, tenantId, user, { now, client: forTenant(tenantId) }),
  };
}

/** The tenant user directory bound to a table. */
export type DirectoryRepository = ReturnType<typeof createDirectoryRepository>;
