import { ForbiddenError } from '../../shared/errors';
import type { Role } from '../../shared/role';
import type { Principal } from '../../shared/tenant-context';
import type { Tier } from '../../shared/tier';
import type { TenantSummaryRepository } from './tenant-summary-repository';

/** What `GET /me` answers: who the caller is, in which tenant, on which tier. */
export interface Me {
  readonly userId: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly role: Role;
  readonly tier: Tier;
}

/** The caller's own identity, from the verified token's claims and the tenant's profile. */
export function createMeService(repository: TenantSummaryRepository) {
  /**
   * The caller as seen by the product. A tenant that is not (or no longer) ACTIVE admits nobody, as the REST
   * authorizer does; a missing profile is the same 403, so the answer says nothing about other tenants.
   */
  async function me(principal: Principal): Promise<Me> {
    const tenant = await repository.tenantSummary(principal.tenantId);
    if (tenant?.status !== 'ACTIVE') throw new ForbiddenError('the tenant is not active');
    return {
      userId: principal.userId,
      tenantId: tenant.tenantId,
      tenantName: tenant.name,
      role: principal.role,
      tier: tenant.tier,
    };
  }

  return { me };
}
