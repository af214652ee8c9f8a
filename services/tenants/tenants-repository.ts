import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { TABLE } from '../../shared/table';
import type { OnboardTenantRequest, TenantStatus } from './tenant-schemas';

/**
 * The global name registry entry. It is written first and carries everything a retry needs (the tenant id
 * and the API key value), so a half-finished onboarding resumes with the same identity.
 */
export interface TenantNameRecord {
  readonly tenantId: string;
  readonly name: string;
  readonly tier: OnboardTenantRequest['tier'];
  readonly adminEmail: string;
  readonly apiKeyValue: string;
  readonly status: TenantStatus;
  readonly createdAt: string;
  readonly apiKeyId?: string;
}

/** The tenant profile the Lambda authorizer reads on every request (it admits only status ACTIVE). */
export interface TenantProfile {
  readonly tenantId: string;
  readonly name: string;
  readonly tier: OnboardTenantRequest['tier'];
  readonly status: TenantStatus;
  readonly apiKeyValue: string;
  readonly adminEmail: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly apiKeyId?: string;
}

const notExists = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
};

function nameRecordFromItem(item: Record<string, unknown>): TenantNameRecord {
  return {
    tenantId: String(item.tenantId),
    name: String(item.name),
    tier: item.tier === 'premium' ? 'premium' : 'basic',
    adminEmail: String(item.adminEmail),
    apiKeyValue: String(item.apiKeyValue),
    status: item.status === 'ACTIVE' ? 'ACTIVE' : 'ONBOARDING',
    createdAt: String(item.createdAt),
    ...(typeof item.apiKeyId === 'string' ? { apiKeyId: item.apiKeyId } : {}),
  };
}

/** Onboarding's DynamoDB access (name claims and profiles), bound to the table it is configured with. */
export function createTenantsRepository(tableName: string, client: DynamoDBDocumentClient = documentClient) {
  /** The name registry entry for `name`, if anyone holds it. */
  async function findTenantName(name: string): Promise<TenantNameRecord | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: tenantKeys.name(name), ConsistentRead: true }),
    );
    return Item ? nameRecordFromItem(Item) : undefined;
  }

  /**
   * Claims a tenant name, or returns whoever already holds it. The conditional Put is what makes names
   * unique: of two concurrent claims exactly one wins, and the loser sees the winner's record.
   */
  async function claimTenantName(candidate: TenantNameRecord): Promise<TenantNameRecord> {
    const key = tenantKeys.name(candidate.name);
    try {
      await client.send(
        new PutCommand({ TableName: tableName, Item: { ...key, ...candidate }, ...notExists }),
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

  /** Writes the ONBOARDING profile unless one exists already (a retry keeps what the first attempt wrote). */
  async function createProfileIfAbsent(profile: TenantProfile): Promise<void> {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...tenantKeys.profile(profile.tenantId), ...profile },
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

  return { findTenantName, claimTenantName, createProfileIfAbsent, setProfileApiKeyId, activateTenant };
}

/** The tenants repository bound to a table. */
export type TenantsRepository = ReturnType<typeof createTenantsRepository>;
