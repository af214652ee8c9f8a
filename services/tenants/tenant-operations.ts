import type { AuditRecord } from '../../shared/audit';
import { type TenantOffboarding, tenantOffboardingCodec } from '../../shared/codecs/tenant-offboarding-codec';
import {
  type TenantProfile,
  type TenantStatus,
  tenantProfileCodec,
} from '../../shared/codecs/tenant-profile-codec';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { TenantUsage } from '../../shared/tenant-usage';
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
  /** The usage of an API key this period (shared/tenant-usage.ts readTenantUsage, as the tenant's `GET /usage`). */
  readonly usage: (apiKeyId: string) => Promise<TenantUsage>;
  /** Offboarding records, the job's queue, and fresh links to an export. */
  readonly offboarding: {
    read(tenantId: string): Promise<TenantOffboarding | undefined>;
    /** Writes the record unless one exists; returns the stored one. */
    start(record: TenantOffboarding): Promise<TenantOffboarding>;
    enqueue(tenantId: string): Promise<void>;
    downloadUrl(key: string): Promise<{ url: string; expiresAt: string }>;
  };
}

/** What the operator sees of an offboarding: the record, and a fresh link to the export while it is kept. */
async function offboardingView(
  record: TenantOffboarding,
  downloadUrl: TenantOperationsDependencies['offboarding']['downloadUrl'],
): Promise<Record<string, unknown>> {
  const exported = record.export;
  if (!exported || Date.parse(exported.expiresAt) <= Date.now()) return { ...record };
  return { ...record, download: await downloadUrl(exported.key) };
}

/**
 * The operators' actions on tenants: read, list, re-tier, suspend and reactivate. Every change is conditional on
 * the tenant's current status (409 naming it otherwise) and written with its audit entry; its effects outside
 * the table (the API key, the authorizer caches, open connections) follow and are safe to repeat, and a repeated
 * request that finds the change already made re-applies them before answering 409, so a request that failed
 * half-way is completed by sending it again.
 */
export function createTenantOperations({
  directory,
  apiKeys,
  enforcement,
  usage,
  offboarding,
}: TenantOperationsDependencies) {
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
    /**
     * A tenant by id: its profile with its usage this period (active or suspended: a key on a plan), with its
     * offboarding while one runs, or once erased its tombstone.
     */
    async getTenant(tenantId: string): Promise<TenantView> {
      const profile = await directory.getProfile(tenantId);
      const record =
        profile === undefined || profile.status === 'OFFBOARDING'
          ? await offboarding.read(tenantId)
          : undefined;
      if (profile) {
        // An offboarding tenant's key is being deleted: there is no usage left to show.
        const metered = profile.status !== 'OFFBOARDING' ? profile.apiKeyId : undefined;
        return {
          ...tenantView(profile),
          ...(metered === undefined ? {} : { usage: await usage(metered) }),
          ...(record ? { offboarding: await offboardingView(record, offboarding.downloadUrl) } : {}),
        };
      }
      if (!record) return tenantView(await directory.requireProfile(tenantId));
      return {
        tenantId,
        name: record.name,
        tier: record.tier,
        status: record.status,
        createdAt: record.requestedAt,
        updatedAt: record.updatedAt,
        offboarding: await offboardingView(record, offboarding.downloadUrl),
      };
    },

    /**
     * Starts offboarding: the tenant is OFFBOARDING (so admitted nowhere, with suspension's effects applied at once)
     * and its record is written before the job is queued. A second request answers 409 with the status, and queues
     * the job again, so an offboarding whose job was lost is resumed by asking again.
     */
    async offboard(
      tenantId: string,
      request: OperatorRequest,
    ): Promise<TenantView & { offboarding: Record<string, unknown> }> {
      let profile: TenantProfile;
      try {
        profile = await directory.changeProfile(tenantId, {
          from: ['ACTIVE', 'SUSPENDED'],
          set: { status: 'OFFBOARDING' },
          audit: audit(request, 'tenant.offboard', tenantId),
          now: new Date(),
        });
      } catch (error) {
        // Erased already: the tombstone says so (409 with its status), as an offboarding still running does.
        const record = error instanceof NotFoundError ? await offboarding.read(tenantId) : undefined;
        if (record)
          throw new ConflictError(`tenant '${tenantId}' is ${record.status}`, { status: record.status });
        return completeOn409(error, tenantId, 'OFFBOARDING', async (current) => {
          await enforceSuspension(current);
          if (await offboarding.read(tenantId)) await offboarding.enqueue(tenantId);
        });
      }
      const at = new Date().toISOString();
      const record = await offboarding.start({
        tenantId,
        name: profile.name,
        tier: profile.tier,
        status: 'OFFBOARDING',
        requestedBy: request.actor.id,
        requestId: request.requestId,
        requestedAt: at,
        updatedAt: at,
        ...(profile.apiKeyId ? { apiKeyId: profile.apiKeyId } : {}),
        steps: [],
      });
      await enforceSuspension(profile);
      await offboarding.enqueue(tenantId);
      logger.info('tenant offboarding started', { tenantId });
      return { ...tenantView(profile), offboarding: { ...record } };
    },

    async listTenants(query: ListTenantsQuery): Promise<{ items: TenantView[]; nextToken?: string }> {
      const page = await directory.listDirectory({
        limit: query.limit ?? DEFAULT_PAGE_SIZE,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.tier ? { tier: query.tier } : {}),
      });
      return {
        ...page,
        items: page.items.map((item) => {
          if (item.SK !== 'OFFBOARDING') return tenantView(tenantProfileCodec.fromItem(item));
          const tombstone = tenantOffboardingCodec.fromItem(item);
          return {
            tenantId: tombstone.tenantId,
            name: tombstone.name,
            tier: tombstone.tier,
            status: tombstone.status,
            createdAt: tombstone.requestedAt,
            updatedAt: tombstone.updatedAt,
          };
        }),
      };
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
