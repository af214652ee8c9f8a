import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type TenantProfile, tenantProfileCodec } from '../../shared/codecs/tenant-profile-codec';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';

/**
 * Reads a tenant's profile with one GetItem and decodes it with the codec its writer (onboarding) uses. The
 * whole item is read: a projection would not make the read cheaper (DynamoDB bills GetItem by item size) and
 * would leave the codec unable to check the profile as written.
 *
 * A stored profile that does not decode is corrupt data, not a bad caller, so it throws `CorruptItemError`
 * (naming the key) instead of denying: the authorizer then fails, API Gateway answers 500 (AUTHORIZER_FAILURE,
 * with the request id in the gateway response) and grants nothing, and the error is logged and alarms.
 */
export async function readTenantProfile(
  tableName: string,
  tenantId: string,
): Promise<TenantProfile | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: tenantKeys.profile(tenantId) }),
  );
  return Item ? tenantProfileCodec.fromItem(Item) : undefined;
}
