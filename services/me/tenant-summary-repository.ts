import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { decodeItem } from '../../shared/codecs/stored-item';
import { tenantProfileSchema } from '../../shared/codecs/tenant-profile-codec';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';

/** What `/me` needs of the tenant profile: never its API key or admin e-mail. */
export const tenantSummarySchema = tenantProfileSchema.pick({
  tenantId: true,
  name: true,
  tier: true,
  status: true,
});
export type TenantSummary = Readonly<z.infer<typeof tenantSummarySchema>>;

/** The profile attributes `/me` reads: its projection, and its IAM attribute allow-list. */
export const TENANT_SUMMARY_ATTRIBUTES = ['tenantId', 'name', 'tier', 'status'] as const;

/** `/me`'s DynamoDB access: one projected GetItem of the caller's tenant profile. */
export function createTenantSummaryRepository(
  tableName: string,
  client: DynamoDBDocumentClient = documentClient,
) {
  /** The summary of a tenant's profile, or undefined when there is none. */
  async function tenantSummary(tenantId: string): Promise<TenantSummary | undefined> {
    const key = tenantKeys.profile(tenantId);
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: key,
        ProjectionExpression: TENANT_SUMMARY_ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(TENANT_SUMMARY_ATTRIBUTES.map((a, i) => [`#a${i}`, a])),
      }),
    );
    return Item ? decodeItem('tenant profile', tenantSummarySchema, { ...key, ...Item }) : undefined;
  }

  return { tenantSummary };
}

/** The tenant summary repository bound to a table. */
export type TenantSummaryRepository = ReturnType<typeof createTenantSummaryRepository>;
