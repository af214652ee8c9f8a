import { tenantPrefix } from './tenant-prefix';

/**
 * Keys of the order entity. All of a tenant's orders share one partition (listed newest first, since
 * order ids are time-sortable); GSI1 partitions them by status for the `status` filter.
 */
export const orderKeys = {
  partition: (tenantId: string) => `${tenantPrefix(tenantId)}ORDERS`,
  order: (tenantId: string, orderId: string) => ({
    PK: orderKeys.partition(tenantId),
    SK: `ORDER#${orderId}`,
  }),
  statusPartition: (tenantId: string, status: string) => `${tenantPrefix(tenantId)}ORDERS#STATUS#${status}`,
  statusIndex: (tenantId: string, status: string, orderId: string) => ({
    GSI1PK: orderKeys.statusPartition(tenantId, status),
    GSI1SK: `ORDER#${orderId}`,
  }),
};
