import { tenantPrefix } from './tenant-prefix';

/** Keys of the catalog entity: one partition per tenant, one item per SKU. */
export const catalogKeys = {
  partition: (tenantId: string) => `${tenantPrefix(tenantId)}CATALOG`,
  item: (tenantId: string, sku: string) => ({ PK: catalogKeys.partition(tenantId), SK: `SKU#${sku}` }),
};
