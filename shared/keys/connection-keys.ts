import { tenantPrefix } from './tenant-prefix';

/**
 * Keys of the WebSocket connection entity: all of a tenant's open connections share one partition, so the
 * broadcaster reads them with one Query per tenant, and a connection can only ever be found through its tenant.
 */
export const connectionKeys = {
  partition: (tenantId: string) => `${tenantPrefix(tenantId)}CONNECTIONS`,
  connection: (tenantId: string, connectionId: string) => ({
    PK: connectionKeys.partition(tenantId),
    SK: `CONNECTION#${connectionId}`,
  }),
};
