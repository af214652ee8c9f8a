import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { decodeItem } from './codecs/stored-item';
import { type TenantStatus, tenantStatusSchema } from './codecs/tenant-profile-codec';
import { documentClient } from './dynamo';
import { tenantKeys } from './keys/tenant-keys';

/** The profile attributes a status check reads (and a function's IAM policy allows). */
export const TENANT_STATUS_ATTRIBUTES = ['status'] as const;

const statusView = z.object({ status: tenantStatusSchema });

/**
 * The tenant's current status, with one strongly consistent GetItem projected to the status alone; undefined
 * when it has no profile (never onboarded, or erased). Surfaces that API Gateway's authorizer does not cover
 * (Cognito-authorized routes, the tracking page, queued jobs) check it, so a suspension reaches them at once.
 */
export async function readTenantStatus(
  tableName: string,
  tenantId: string,
  client: DynamoDBDocumentClient = documentClient,
): Promise<TenantStatus | undefined> {
  const key = tenantKeys.profile(tenantId);
  const { Item } = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: key,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  return Item ? decodeItem('tenant profile', statusView, { ...key, ...Item }).status : undefined;
}
