import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { decodeItem, encodeAttributes } from './codecs/stored-item';
import { documentClient } from './dynamo';
import { userKeys } from './keys/user-keys';
import { roleSchema } from './role';
import { TABLE } from './table';

/**
 * A tenant user as the tenant's directory holds it. The directory, not the token, is authoritative for the role
 * and for whether the user may act: `custom:role` is an immutable Cognito attribute (it stays what the user was
 * invited as, in every token), so a role change is recorded here and the REST authorizer reads it; a disabled or
 * deleted user's item says so, and the authorizer refuses the tokens it still holds. A deleted user's item stays
 * as a tombstone until every token issued before the deletion has expired (`expiresAt`, DynamoDB TTL).
 */
export const directoryUserSchema = z.object({
  userId: z.string().min(1),
  email: z.string().min(1),
  role: roleSchema,
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Set when the user was deleted: the item only refuses old tokens until TTL removes it. */
  deletedAt: z.iso.datetime().optional(),
  expiresAt: z.number().int().optional(),
});
export type DirectoryUser = Readonly<z.infer<typeof directoryUserSchema>>;

/** Whether a directory user may call the API at all (enabled and not deleted). */
export function isActiveUser(user: DirectoryUser): boolean {
  return user.enabled && user.deletedAt === undefined;
}

/** Whether the user counts as one of the tenant's enabled admins (the count that must stay above zero). */
export function isActiveAdmin(user: DirectoryUser): boolean {
  return isActiveUser(user) && user.role === 'admin';
}

/** The directory item of one user, or undefined when the tenant's directory has none. */
export async function readDirectoryUser(
  tableName: string,
  tenantId: string,
  userId: string,
  client: DynamoDBDocumentClient = documentClient,
): Promise<DirectoryUser | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: userKeys.user(tenantId, userId) }),
  );
  return Item ? decodeItem('directory user', directoryUserSchema, Item) : undefined;
}

/**
 * Adds a user to the tenant's directory, counting it when it is an admin, in one transaction: the item is
 * written only if absent (so a retry adds nothing twice) and the count moves with it. Returns false when the
 * user was already there.
 */
export async function addDirectoryUser(
  tableName: string,
  tenantId: string,
  user: Pick<DirectoryUser, 'userId' | 'email' | 'role'>,
  options: { readonly now?: Date; readonly client?: DynamoDBDocumentClient } = {},
): Promise<boolean> {
  const at = (options.now ?? new Date()).toISOString();
  const item = encodeAttributes('directory user', directoryUserSchema, {
    ...user,
    enabled: true,
    createdAt: at,
    updatedAt: at,
  });
  try {
    await (options.client ?? documentClient).send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...userKeys.user(tenantId, user.userId), ...item },
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
            },
          },
          ...(user.role === 'admin' ? [adminCountChange(tableName, tenantId, 1)] : []),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancelledBy(error, 0)) return false;
    throw error;
  }
}

/**
 * The transaction item that moves the tenant's enabled-admin count by `delta`. A decrease is conditional on
 * another enabled admin remaining, so the last admin can never be removed, demoted or disabled, however many
 * admins try at once.
 */
export function adminCountChange(tableName: string, tenantId: string, delta: 1 | -1) {
  return {
    Update: {
      TableName: tableName,
      Key: userKeys.adminCount(tenantId),
      UpdateExpression: 'ADD #admins :delta',
      ExpressionAttributeNames: { '#admins': 'admins' },
      ExpressionAttributeValues: { ':delta': delta, ...(delta < 0 ? { ':one': 1 } : {}) },
      ...(delta < 0 ? { ConditionExpression: '#admins > :one' } : {}),
    },
  };
}

/** Whether a TransactWriteItems failed because the item at `index` failed its condition. */
export function cancelledBy(error: unknown, index: number): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  return reasons?.[index]?.Code === 'ConditionalCheckFailed';
}
