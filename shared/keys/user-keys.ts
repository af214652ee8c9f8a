import { tenantPrefix } from './tenant-prefix';

/**
 * Keys of a tenant's user directory: one item per user (by Cognito `sub`) and one counter of the tenant's enabled
 * admins, all in one tenant-owned partition, so a tenant lists its users with one Query and never sees another's,
 * and erasure removes the directory with the rest of the tenant.
 */
export const userKeys = {
  partition: (tenantId: string) => `${tenantPrefix(tenantId)}USERS`,
  user: (tenantId: string, userId: string) => ({
    PK: userKeys.partition(tenantId),
    SK: `${USER_SK_PREFIX}${userId}`,
  }),
  /** The count of the tenant's enabled admins, which keeps the last one from being removed or demoted. */
  adminCount: (tenantId: string) => ({ PK: userKeys.partition(tenantId), SK: 'ADMINS' }),
};

/** Every user item's sort key starts with this. */
export const USER_SK_PREFIX = 'USER#';
