import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ForbiddenError } from '../../shared/errors';
import { PARTNER_SCOPE } from '../../shared/partner-scope';
import type { Principal } from '../../shared/tenant-context';
import type { CreatePartnerClientRequest } from './partner-client-schemas';
import {
  createPartnerClient,
  listPartnerClients,
  type PartnerClientStores,
  type PartnerClientSummary,
} from './partner-clients-repository';

/** What `POST /partner-clients` answers: the only time the secret is shown. */
export interface CreatedPartnerClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name: string;
  readonly scope: string;
  readonly tokenUrl: string;
}

/**
 * A tenant admin's partner clients. The tenant is always the caller's (from the authorizer), and only admins may
 * create or list them: a member's request is refused with 403. A binding (`PARTNERCLIENT#<client id>`, not under a
 * tenant's prefix) is written with `stores.documents`; the tenant's list (its GSI1 partition) is read with
 * `forTenant(tenantId)`, in the function a session of that tenant.
 */
export function createPartnerClientsService(
  stores: PartnerClientStores,
  tokenUrl: string,
  forTenant: (tenantId: string) => DynamoDBDocumentClient = () => stores.documents,
) {
  function requireAdmin(principal: Principal): void {
    if (principal.role !== 'admin')
      throw new ForbiddenError("only a tenant's admin manages its partner clients");
  }

  async function create(
    principal: Principal,
    request: CreatePartnerClientRequest,
  ): Promise<CreatedPartnerClient> {
    requireAdmin(principal);
    const client = await createPartnerClient({ ...stores, tenantId: principal.tenantId, name: request.name });
    return {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      name: client.name,
      scope: PARTNER_SCOPE.fullName,
      tokenUrl,
    };
  }

  async function list(principal: Principal): Promise<{ items: PartnerClientSummary[] }> {
    requireAdmin(principal);
    const { tenantId } = principal;
    return { items: await listPartnerClients({ ...stores, documents: forTenant(tenantId), tenantId }) };
  }

  return { create, list };
}
