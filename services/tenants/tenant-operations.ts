import type { AuditRecord } from '../../shared/audit';
import {
  type TenantProfile,
  type TenantStatus,
  tenantProfileCodec,
} from '../../shared/codecs/tenant-profile-codec';
import { ConflictError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import { TIERS, type Tier } from '../../shared/tier';
import type { ApiKeys } from './api-keys';
import type { TenantDirectory } from './tenant-directory';
import type { TenantEnforcement } from './tenant-enforcement';
import type { ListTenantsQuery, TenantView } from './tenant-schemas';

/** Who asks, and which request: what every operator action records in the tenant's audit trail. */
export interface OperatorRequest {
  readonly actor: AuditRecord['actor'];
  readonly requestId: string;
}

/** What a suspension or reactivation did beyond the status, for the operator's answer. */
export interface Enforcement {
  /** Open WebSocket connections closed (suspension only). */
  readonly connectionsClosed?: number;
}

const DEFAULT_PAGE_SIZE = 25;

/** The operator's view of a profile: everything but the API key value. */
export function tenantView(profile: TenantProfile): TenantView {
  const { apiKeyValue: _secret, ...view } = profile;
  return view;
}

/** What the operator service talks to. */
export interface TenantOperationsDependencies {
  readonly directory: TenantDirectory;
  readonly apiKeys: Pick<ApiKeys, 'setApiKeyEnabled' | 'moveApiKey'>;
  readonly enforcement: TenantEnforcement;
}

/**
 * The operators' actions on tenants: read, list, re-tier, suspend and reactivate. Every change is conditional on
 * the tenant's current status (409 naming it otherwise) and written with its audit entry; its effects outside
 * the table (the API key, the authorizer caches, open connections) follow and are safe to repeat, and a repeated
 * request that finds the change already made re-applies them before answering 409, so a request that failed
 * half-way is completed by sending it again.
 */
export function createTenantOperations({ directory, apiKeys, enforcement }: TenantOperationsDependencies) {
  const audit = (
    request: OperatorRequest,
    action: string,
    tenantId: string,
    details?: Record<string, unknown>,
  ) => ({
    actor: request.actor,
    action,
    target: { type: 'tenant', id: tenantId },
    requestId: request.requestId,
    ...(details ? { details } : {}),
  });

  /** The key on `tier`'s plan and on no other tier's. */
  async function keyOnTier(profile: TenantProfile, tier: Tier): Promise<void> {
    if (!profile.apiKeyId) return;
    for (const other of TIERS) if (other !== tier) await apiKeys.moveApiKey(profile.apiKeyId, other, tier);
  }

  /** Suspension's effects: key disabled, cached decisions gone, open connections closed. */
  async function enforceSuspension(profile: TenantProfile): Promise<Enforcement> {
    if (profile.apiKeyId) await apiKeys.setApiKeyEnabled(profile.apiKeyId, false);
    await enforcement.flushCaches();
    const connectionsClosed = await enforcement.closeConnections(profile.tenantId);
    return { connectionsClosed };
  }

  /** Reactivation's effects: key enabled, cached refusals gone. */
  async function enforceReactivation(profile: TenantProfile): Promise<Enforcement> {
    if (profile.apiKeyId) await apiKeys.setApiKeyEnabled(profile.apiKeyId, true);
    await enforcement.flushCaches();
    return {};
  }

  /** Runs `effects` again when `error` says the change was already made (status `done`), then rethrows. */
  async function completeOn409(
    error: unknown,
    tenantId: string,
    done: TenantStatus,
    effects: (profile: TenantProfile) => Promise<unknown>,
  ): Promise<never> {
    if (error instanceof ConflictError && error.details?.status === done) {
      await effects(await directory.requireProfile(tenantId));
    }
    throw error;
  }

  return {
    async getTenant(tenantId: string): Promise<TenantView> {
      return tenantView(await directory.requireProfile(tenantId));
    },

    async listTenants(query: ListTenantsQuery): Promise<{ items: TenantView[]; nextToken?: string }> {
      const page = await directory.listDirectory({
        limit: query.limit ?? DEFAULT_PAGE_SIZE,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.tier ? { tier: query.tier } : {}),
      });
      return { ...page, items: page.items.map((item) => tenantView(tenantProfileCodec.fromItem(item))) };
    },

    /** Moves the tenant to `tier`: the profile (with the audit entry), then the key onto the tier's plan. */
    async changeTier(tenantId: string, tier: Tier, request: OperatorRequest): Promise<TenantView> {
      const current = await directory.requireProfile(tenantId);
      if (current.tier === tier) {
        // Already there (or a retry whose key move failed): make sure the key followed, record nothing new.
        await keyOnTier(current, tier);
        return tenantView(current);
      }
      const changed = await directory.changeProfile(tenantId, {
        from: ['ACTIVE', 'SUSPENDED'],
        set: { tier },
        audit: audit(request, 'tenant.change-tier', tenantId, { from: current.tier, to: tier }),
        now: new Date(),
      });
      await keyOnTier(changed, tier);
      logger.info('tenant tier changed', { tenantId, from: current.tier, to: tier });
      return tenantView(changed);
    },

    async suspend(tenantId: string, request: OperatorRequest): Promise<TenantView & Enforcement> {
      let suspended: TenantProfile;
      try {
        suspended = await directory.changeProfile(tenantId, {
          from: ['ACTIVE'],
          set: { status: 'SUSPENDED' },
          audit: audit(request, 'tenant.suspend', tenantId),
          now: new Date(),
        });
      } catch (error) {
        return completeOn409(error, tenantId, 'SUSPENDED', enforceSuspension);
      }
      const effects = await enforceSuspension(suspended);
      logger.info('tenant suspended', { tenantId, ...effects });
      return { ...tenantView(suspended), ...effects };
    },

    async reactivate(tenantId: string, request: OperatorRequest): Promise<TenantView> {
      let active: TenantProfile;
      try {
        active = await directory.changeProfile(tenantId, {
          from: ['SUSPENDED'],
          set: { status: 'ACTIVE' },
          audit: audit(request, 'tenant.reactivate', tenantId),
          now: new Date(),
        });
      } catch (error) {
        return completeOn409(error, tenantId, 'ACTIVE', enforceReactivation);
      }
      await enforceReactivation(active);
      logger.info('tenant reactivated', { tenantId });
      return tenantView(active);
    },

    enforceSuspension,
  };
}

/** The operators' actions bound to their adapters. */
export type TenantOperations = ReturnType<typeof createTenantOperations>;
