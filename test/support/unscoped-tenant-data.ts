import { documentClient } from '../../shared/dynamo';
import { s3Client } from '../../shared/s3';
import { tableClients } from '../../shared/table-clients';
import type { TenantData } from '../../shared/tenant-credentials';

/**
 * The shared clients for every tenant: what handler tests on engines with no IAM and no STS pass as `tenantData`.
 * Tenant scoping by IAM is tested on the local cloud (test/e2e/tenant-credentials.e2e.test.ts).
 */
export const UNSCOPED_TENANT_DATA: TenantData = {
  clientsFor: () => ({ documentClient, s3: s3Client }),
  tableClients: () => tableClients(documentClient),
};
