import { randomBytes } from 'node:crypto';
import type { TenantNameRecord } from '../../shared/codecs/tenant-profile-codec';
import { ConflictError } from '../../shared/errors';
import { tenantId as newTenantId } from '../../shared/ids';
import { logger } from '../../shared/logger';
import { slugCandidates } from '../../shared/tenant-slug';
import type { ApiKeys } from './api-keys';
import { adminEmailTaken, type IdentityProvider } from './identity-provider';
import type { OnboardingResult, OnboardTenantRequest } from './tenant-schemas';
import type { TenantsRepository } from './tenants-repository';

/** 192 random bits as hex: well over API Gateway's 20-character minimum and free of characters it might reject. */
function newApiKeyValue(): string {
  return randomBytes(24).toString('hex');
}

/** The outcome of `onboardTenant`: `created` is false when the tenant was already fully onboarded. */
export interface Onboarding {
  readonly result: OnboardingResult;
  readonly created: boolean;
}

function resultOf(record: TenantNameRecord, slug: string, apiKeyId: string): OnboardingResult {
  return {
    tenantId: record.tenantId,
    name: record.name,
    slug,
    tier: record.tier,
    status: 'ACTIVE',
    adminUsername: record.adminEmail,
    apiKeyId,
  };
}

/** What onboarding talks to: the table, the API Gateway key/plan control plane and the user pool. */
export interface TenantsServiceDependencies {
  readonly repository: TenantsRepository;
  readonly apiKeys: ApiKeys;
  readonly identityProvider: IdentityProvider;
}

/** Onboarding bound to its adapters. */
export function createTenantsService({ repository, apiKeys, identityProvider }: TenantsServiceDependencies) {
  const {
    activateTenant,
    claimTenantName,
    claimTenantSlug,
    createProfileIfAbsent,
    findTenantName,
    setProfileApiKeyId,
    addDirectoryAdmin,
  } = repository;
  const { ensureTenantApiKey } = apiKeys;
  const { adminEmailOwner, ensureTenantAdmin } = identityProvider;

  /**
   * The tenant's public slug: the first candidate (shared/tenant-slug.ts) that is free or already its own. The
   * candidates come in a fixed order, so a retry finds the slug the first attempt claimed; the last one
   * contains the tenant id, which nobody else can hold.
   */
  async function ensureTenantSlug(record: TenantNameRecord, timestamp: string): Promise<string> {
    for (const slug of slugCandidates(record.name, record.tenantId)) {
      const holder = await claimTenantSlug({ slug, tenantId: record.tenantId, createdAt: timestamp });
      if (holder.tenantId === record.tenantId) return slug;
    }
    throw new Error(`no slug could be claimed for tenant ${record.tenantId}`);
  }

  /**
   * Onboards a tenant: claims the name, writes the profile, creates the API key on the tier's usage plan,
   * creates the admin user, then activates the tenant. Every step is idempotent and keyed by what the name
   * claim stored, so sending the same request again after a failure finishes the job with the same tenant
   * id, one key and one user. There are no transactions across these services, which is why the tenant is
   * ACTIVE only after the last step: until then the authorizer admits nobody.
   */
  async function onboardTenant(request: OnboardTenantRequest, now: Date = new Date()): Promise<Onboarding> {
    const timestamp = now.toISOString();
    // An admin email already in use by another tenant is refused before the name is claimed, so a refused
    // request leaves nothing behind. (Its own tenant's user is a retry of this very onboarding.)
    const owner = await adminEmailOwner(request.adminEmail);
    if (owner !== undefined && (await findTenantName(request.name))?.tenantId !== owner) {
      throw adminEmailTaken(request.adminEmail);
    }
    const record = await claimTenantName({
      tenantId: newTenantId(),
      name: request.name,
      tier: request.tier,
      adminEmail: request.adminEmail,
      apiKeyValue: newApiKeyValue(),
      status: 'ONBOARDING',
      createdAt: timestamp,
    });
    if (record.tier !== request.tier || record.adminEmail !== request.adminEmail) {
      throw new ConflictError(`tenant name '${request.name}' is already taken`);
    }
    logger.appendKeys({ tenantId: record.tenantId });
    // Before the replay check, so tenants onboarded before slugs existed get theirs on a replay.
    const slug = await ensureTenantSlug(record, timestamp);
    if (record.status === 'ACTIVE' && record.apiKeyId) {
      logger.info('tenant already onboarded');
      return { result: resultOf(record, slug, record.apiKeyId), created: false };
    }

    await createProfileIfAbsent({
      tenantId: record.tenantId,
      name: record.name,
      tier: record.tier,
      status: 'ONBOARDING',
      apiKeyValue: record.apiKeyValue,
      adminEmail: record.adminEmail,
      createdAt: record.createdAt,
      updatedAt: timestamp,
    });
    const apiKeyId = await ensureTenantApiKey(record.tenantId, record.apiKeyValue, record.tier);
    await setProfileApiKeyId(record.tenantId, apiKeyId, timestamp);
    const admin = await ensureTenantAdmin(record.tenantId, record.adminEmail);
    // The tenant's user directory (GET /users, the last-admin rule, the authorizer's role) starts with its admin.
    await addDirectoryAdmin(record.tenantId, admin.userId, record.adminEmail, now);
    await activateTenant(record, apiKeyId, timestamp);
    logger.info('tenant onboarded', { tier: record.tier, apiKeyId });
    return { result: resultOf(record, slug, apiKeyId), created: true };
  }

  return { onboardTenant };
}

/** Onboarding bound to its adapters. */
export type TenantsService = ReturnType<typeof createTenantsService>;
