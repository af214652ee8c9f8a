import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type TenantStatus, tenantProfileCodec } from '../../shared/codecs/tenant-profile-codec';
import { documentClient } from '../../shared/dynamo';
import type { Tier } from '../../shared/tier';
import { TEST_ENV } from './test-env';

/** What a test chooses of a stored profile besides its tenant and status. */
export interface StoredProfileOptions {
  /** @default 'basic' */
  readonly tier?: Tier;
  /** The tenant's API key value, which the authorizer returns as the usage identifier key. @default one per tenant */
  readonly apiKeyValue?: string;
}

/**
 * Stores tenant `tenantId`'s profile in the test table as onboarding writes it (through the same codec): a tenant
 * still ONBOARDING has no API key id yet.
 */
export async function putTenantProfile(
  tenantId: string,
  status: TenantStatus,
  options: StoredProfileOptions = {},
): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: TEST_ENV.TABLE_NAME,
      Item: tenantProfileCodec.toItem({
        tenantId,
        name: `Tenant ${tenantId}`,
        tier: options.tier ?? 'basic',
        status,
        ...(status === 'ONBOARDING' ? {} : { apiKeyId: `key-${tenantId}` }),
        apiKeyValue: options.apiKeyValue ?? `apiKeyValueOf-${tenantId}-0123456789`,
        adminEmail: `admin@${tenantId}.example.com`,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      }),
    }),
  );
}
