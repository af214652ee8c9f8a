import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';

/** The part of a tenant's profile (written by the tenants service) that authorization needs. */
export interface TenantProfile {
  readonly tenantId: string;
  readonly tier: 'basic' | 'premium';
  /** `ACTIVE` once onboarding completed; anything else (ONBOARDING, SUSPENDED, …) is refused. */
  readonly status: string;
  /** Present once the tenant's API key exists (it is created during onboarding). */
  readonly apiKeyValue?: string;
}

/** Not strict: the stored item has keys and attributes the authorizer does not need. */
const profileSchema = z.object({
  tenantId: z.string().min(1),
  tier: z.enum(['basic', 'premium']),
  status: z.string().min(1),
  apiKeyValue: z.string().min(1).optional(),
});

/**
 * Reads a tenant's profile with one GetItem. A stored profile that does not parse is corrupt data, not a bad
 * caller, so it throws (API Gateway answers 500 and the error alarms) instead of denying.
 */
export async function readTenantProfile(
  tableName: string,
  tenantId: string,
): Promise<TenantProfile | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: tenantKeys.profile(tenantId),
      ProjectionExpression: 'tenantId, tier, #status, apiKeyValue',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  if (!Item) return undefined;
  const parsed = profileSchema.safeParse(Item);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`tenant profile ${tenantId} is malformed (${fields})`);
  }
  return parsed.data;
}
