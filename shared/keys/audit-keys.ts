import { tenantPrefix } from './tenant-prefix';

/**
 * Keys of the audit trail: one partition per tenant, one item per recorded action. The sort key carries a
 * time-sortable id, so a reverse Query pages newest first with no index. The partition is tenant-owned (under
 * the tenant prefix), so erasure removes it with the rest of the tenant; only the tombstone outlives it.
 */
export const auditKeys = {
  partition: (tenantId: string) => `${tenantPrefix(tenantId)}AUDIT`,
  entry: (tenantId: string, entryId: string) => ({
    PK: auditKeys.partition(tenantId),
    SK: `${AUDIT_SK_PREFIX}${entryId}`,
  }),
};

/** Every audit item's sort key starts with this. */
export const AUDIT_SK_PREFIX = 'AUDIT#';
