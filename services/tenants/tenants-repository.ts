import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type TenantNameRecord,
  type TenantProfile,
  tenantNameRecordCodec,
  tenantProfileCodec,
} from '../../shared/codecs/tenant-profile-codec';
import { type TenantSlugRecord, tenantSlugRecordCodec } from '../../shared/codecs/tenant-slug-codec';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { tenantSlugKeys } from '../../shared/keys/tenant-slug-keys';
import { TABLE } from '../../shared/table';
import { addDirectoryUser } from '../../shared/user-directory';

const notExists = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
};

/** Onboarding's DynamoDB access (name claims and profiles), bound to the table it is configured with. */
export function createTenantsRepository(tableName: string, client: DynamoDBDocumentClient = documentClient) {
  /** The name registry entry for `name`, if anyone holds it. */
  async function findTenantName(name: string): Promise<TenantNameRecord | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: tenantKeys.name(name), ConsistentRead: true }),
    );
    return Item ? tenantNameRecordCodec.fromItem(Item) : undefined;
  }

  /**
   * Claims a tenant name, or returns whoever already holds it. The conditional Put is what makes names
   * unique: of two concurrent claims exactly one wins, and the loser sees the winner's record.
   */
  async function claimTenantName(candidate: TenantNameRecord): Promise<TenantNameRecord> {
    try {
      await client.send(
        new PutCommand({ TableName: tableName, Item: tenantNameRecordCodec.toItem(candidate), ...notExists }),
      );
      return candidate;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const holder = await findTenantName(candidate.name);
    // Name records are never deleted, so a failed condition means the record is there to read.
    if (!holder)
      throw new Error(`tenant name record for '${candidate.name}' vanished after a conflicting claim`);
    return holder;
  }

  /**
   * Claims a slug for a tenant, or returns whoever already holds it. Like names, slugs are claimed with a
   * conditional Put and never deleted, so a slug that was ever given out is never given to anyone else.
   */
  async function claimTenantSlug(candidate: TenantSlugRecord): Promise<TenantSlugRecord> {
    try {
      await client.send(
        new PutCommand({ TableName: tableName, Item: tenantSlugRecordCodec.toItem(candidate), ...notExists }),
      );
      return candidate;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: tenantSlugKeys.slug(candidate.slug),
        ConsistentRead: true,
      }),
    );
    if (!Item)
      throw new Error(`tenant slug record for '${candidate.slug}' vanished after a conflicting claim`);
    return tenantSlugRecordCodec.fromItem(Item);
  }

  /** Writes the ONBOARDING profile unless one exists already (a retry keeps what the first attempt wrote). */
  async function createProfileIfAbsent(profile: TenantProfile): Promise<void> {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: tenantProfileCodec.toItem(profile),
          ...notExists,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Records the API key id on the profile as soon as it is known, still ONBOARDING. */
  async function setProfileApiKeyId(tenantId: string, apiKeyId: string, now: string): Promise<void> {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: tenantKeys.profile(tenantId),
        UpdateExpression: 'SET apiKeyId = :apiKeyId, updatedAt = :now',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        ExpressionAttributeValues: { ':apiKeyId': apiKeyId, ':now': now },
      }),
    );
  }

  /**
   * Marks the tenant ACTIVE: the profile first (it is what admits requests), the name record last, because
   * an ACTIVE name record is what tells a replay that every earlier step is done.
   */
  async function activateTenant(record: TenantNameRecord, apiKeyId: string, now: string): Promise<void> {
    const activate = (Key: Record<string, string>) =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET #status = :active, apiKeyId = :apiKeyId, updatedAt = :now',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'ACTIVE', ':apiKeyId': apiKeyId, ':now': now },
        }),
      );
    await activate(tenantKeys.profile(record.tenantId));
    await activate(tenantKeys.name(record.name));
  }

  /** Adds the onboarded admin to the tenant's user directory (once: a replay adds nothing). */
  async function addDirectoryAdmin(
    tenantId: string,
    userId: string,
    email: string,
    now: Date,
  ): Promise<void> {
    await addDirectoryUser(tableName, tenantId, { userId, email, role: 'admin' }, { now, client });
  }

  return {
    addDirectoryAdmin,
    findTenantName,
    claimTenantName,
    claimTenantSlug,
    createProfileIfAbsent,
    setProfileApiKeyId,
    activateTenant,
  };
}

/** The tenants repository bound to a table. */
export type TenantsRepository = ReturnType<typeof createTenantsRepository>;
