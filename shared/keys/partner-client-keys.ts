import { tenantPrefix } from './tenant-prefix';

/**
 * Keys of a partner's machine client: the binding of a Cognito app client (client credentials) to the one tenant
 * it posts events for. Keyed by client id, since that is all a client-credentials access token names; written
 * when the client is created, read by the authorizer. GSI1 partitions the bindings by tenant, so a tenant lists
 * its own clients with one query and never sees another's.
 */
export const partnerClientKeys = {
  binding: (clientId: string) => ({ PK: `PARTNERCLIENT#${clientId}`, SK: 'BINDING' }),
  /** The partition every binding lives under (no tenant's prefix), for IAM's `dynamodb:LeadingKeys`. */
  leadingKeyPattern: 'PARTNERCLIENT#*',
  /** The tenant's partition of GSI1 that holds its clients' bindings. */
  tenantPartition: (tenantId: string) => `${tenantPrefix(tenantId)}PARTNERCLIENTS`,
  bindingIndex: (tenantId: string, clientId: string) => ({
    GSI1PK: partnerClientKeys.tenantPartition(tenantId),
    GSI1SK: `PARTNERCLIENT#${clientId}`,
  }),
};
