import { tenantPrefix } from './tenant-prefix';

/** Keys of the tenant entity: the profile (tenant-owned) and the global name registry that makes names unique. */
export const tenantKeys = {
  profile: (tenantId: string) => ({ PK: `${tenantPrefix(tenantId)}PROFILE`, SK: 'PROFILE' }),
  /**
   * The operators' directory of tenants: every profile (and every offboarding record, once the profile is erased)
   * sits in one GSI1 partition, so `GET /tenants` pages through all tenants with one Query, newest id last.
   */
  directoryIndex: (tenantId: string) => ({
    GSI1PK: TENANT_DIRECTORY_PARTITION,
    GSI1SK: `TENANT#${tenantId}`,
  }),
  /**
   * The tenant's offboarding record and, once erased, its tombstone: outside the tenant's prefix, so erasure
   * keeps it (who offboarded it, when, and where the export is).
   */
  offboarding: (tenantId: string) => {
    tenantPrefix(tenantId); // the same id check as every tenant-owned key
    return { PK: `TENANTOFFBOARDING#${tenantId}`, SK: 'OFFBOARDING' };
  },
  /** Names are unique case- and whitespace-insensitively. */
  name: (name: string) => ({ PK: `TENANTNAME#${normalizeTenantName(name)}`, SK: 'TENANTNAME' }),
};

export function normalizeTenantName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The GSI1 partition of the operators' tenant directory. */
export const TENANT_DIRECTORY_PARTITION = 'TENANTS';
