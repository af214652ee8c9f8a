import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What the table is reached with: a client per tenant for tenant partitions, the function's own for the rest. */
export interface TableClients {
  /** The client scoped to `tenantId`: IAM refuses it any partition not under `TENANT#<tenantId>#`. */
  forTenant(tenantId: string): DynamoDBDocumentClient;
  /** The function's own role: only the partitions that are not tenant data (tracking pointers, slugs…). */
  readonly own: DynamoDBDocumentClient;
}

/**
 * A single client used for everything (tests on an engine with no IAM, or a function not yet scoped) as
 * {@link TableClients}; `TableClients` pass through.
 */
export function tableClients(clients: DynamoDBDocumentClient | TableClients): TableClients {
  if (clients instanceof DynamoDBDocumentClient) return { forTenant: () => clients, own: clients };
  return clients;
}
