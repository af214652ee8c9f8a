import { tenantPrefix } from './tenant-prefix';

/** Keys of the tenant entity: the profile (tenant-owned) and the global name registry that makes names unique. */
export const tenantKeys = {
  profile: (tenantId: string) => ({ PK: `${tenantPrefix(tenantId)}PROFILE`, SK: 'PROFILE' }),
  /** Names are unique case- and whitespace-insensitively. */
  name: (name: string) => ({ PK: `TENANTNAME#${normalizeTenantName(name)}`, SK: 'TENANTNAME' }),
};

export function normalizeTenantName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
