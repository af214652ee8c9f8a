import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCloudModel } from '../model';

/** An API key, from the template (AWS::ApiGateway::ApiKey) or created at run time through the control plane. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly value: string;
  readonly name: string;
  readonly description?: string;
  readonly customerId?: string;
  readonly enabled: boolean;
  readonly createdDate: Date;
  readonly lastUpdatedDate: Date;
  /** `restApiId/stageName` entries. */
  readonly stageKeys: readonly string[];
}

/** Requests per second and bucket size, as UsagePlan Throttle and stage MethodSettings give them. */
export interface ThrottleSettings {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

/** A usage plan quota: at most `limit` requests per `period`. */
export interface QuotaSettings {
  readonly limit: number;
  readonly period: 'DAY' | 'WEEK' | 'MONTH';
  readonly offset: number;
}

/** One API stage of a usage plan; `stage` is what the template's `Stage` resolved to (name or Stage Ref). */
export interface UsagePlanStage {
  readonly apiId: string;
  readonly stage: string;
  /** Per-method throttles keyed `/resource/path/METHOD`. */
  readonly methodThrottles: Readonly<Record<string, ThrottleSettings>>;
}

/** A usage plan of the template (AWS::ApiGateway::UsagePlan). */
export interface UsagePlanRecord {
  readonly id: string;
  readonly name: string;
  readonly apiStages: readonly UsagePlanStage[];
  readonly throttle?: ThrottleSettings;
  readonly quota?: QuotaSettings;
}

/** The key, plan and plan stage that let a request through. */
export interface KeyGrant {
  readonly key: ApiKeyRecord;
  readonly plan: UsagePlanRecord;
  readonly planStage: UsagePlanStage;
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function throttleOf(value: unknown): ThrottleSettings | undefined {
  const t = record(value);
  const rateLimit = num(t.RateLimit);
  const burstLimit = num(t.BurstLimit);
  return rateLimit === undefined && burstLimit === undefined ? undefined : { rateLimit, burstLimit };
}

/** The file `persistIn` keeps: every key (dates as ISO strings) and every plan's key ids. */
interface PersistedKeys {
  readonly keys: ReadonlyArray<
    Omit<ApiKeyRecord, 'createdDate' | 'lastUpdatedDate'> & {
      readonly createdDate: string;
      readonly lastUpdatedDate: string;
    }
  >;
  readonly planKeys: Readonly<Record<string, readonly string[]>>;
}

/** Input of `createApiKey` (the CreateApiKey API's fields). */
export interface CreateApiKeyInput {
  readonly name?: string;
  readonly description?: string;
  readonly enabled?: boolean;
  readonly value?: string;
  readonly customerId?: string;
  readonly stageKeys?: readonly string[];
}

/**
 * API keys, usage plans and which keys belong to which plans, shared by every REST API emulator and the
 * control-plane endpoint so that a key created at run time meters requests at once.
 */
export class ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly plans = new Map<string, UsagePlanRecord>();
  /** usage plan id → key ids */
  private readonly planKeys = new Map<string, Set<string>>();
  /** Where keys and plan bindings are kept across restarts (`--persist`); undefined: in memory. */
  private file: string | undefined;

  /**
   * Keeps keys and usage-plan bindings in `<dir>/api-keys.json` from now on, starting from what it holds: a
   * tenant onboarded before a restart still has its key, its value and its plan after it. Every change is
   * written before it is acknowledged (write then rename, so a crash leaves the old or the new file whole).
   */
  persistIn(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'api-keys.json');
    if (!existsSync(this.file)) {
      this.save();
      return;
    }
    const persisted = JSON.parse(readFileSync(this.file, 'utf8')) as PersistedKeys;
    for (const key of persisted.keys) {
      this.keys.set(key.id, {
        ...key,
        createdDate: new Date(key.createdDate),
        lastUpdatedDate: new Date(key.lastUpdatedDate),
      });
    }
    for (const [planId, keyIds] of Object.entries(persisted.planKeys)) {
      this.planKeys.set(planId, new Set([...(this.planKeys.get(planId) ?? []), ...keyIds]));
    }
  }

  private save(): void {
    if (this.file === undefined) return;
    const persisted: PersistedKeys = {
      keys: [...this.keys.values()].map((key) => ({
        ...key,
        createdDate: key.createdDate.toISOString(),
        lastUpdatedDate: key.lastUpdatedDate.toISOString(),
      })),
      planKeys: Object.fromEntries([...this.planKeys].map(([planId, keyIds]) => [planId, [...keyIds]])),
    };
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(persisted), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  /** A store holding the ApiKey, UsagePlan and UsagePlanKey resources of the model. */
  static fromModel(model: LocalCloudModel, now: Date = new Date()): ApiKeyStore {
    const store = new ApiKeyStore();
    store.load(model, now);
    return store;
  }

  /**
   * Adds the ApiKey, UsagePlan and UsagePlanKey resources of the model (the control plane loads the
   * template into the store it shares with the REST APIs).
   */
  load(model: LocalCloudModel, now: Date = new Date()): void {
    for (const resource of model.resources) {
      const p = resource.properties;
      if (resource.type === 'AWS::ApiGateway::ApiKey') {
        // A generated value stays what it was before a restart (under `--persist`).
        const generated = this.keys.get(resource.physicalId)?.value ?? randomString(40, MIXED);
        this.keys.set(resource.physicalId, {
          id: resource.physicalId,
          value: typeof p.Value === 'string' ? p.Value : generated,
          name: typeof p.Name === 'string' ? p.Name : resource.logicalId,
          description: typeof p.Description === 'string' ? p.Description : undefined,
          customerId: typeof p.CustomerId === 'string' ? p.CustomerId : undefined,
          // CloudFormation's default for Enabled is false.
          enabled: p.Enabled === true || p.Enabled === 'true',
          createdDate: now,
          lastUpdatedDate: now,
          stageKeys: (Array.isArray(p.StageKeys) ? p.StageKeys : []).map((k) => {
            const sk = record(k);
            return `${String(sk.RestApiId)}/${String(sk.StageName)}`;
          }),
        });
      } else if (resource.type === 'AWS::ApiGateway::UsagePlan') {
        const quota = record(p.Quota);
        const limit = num(quota.Limit);
        const period = quota.Period;
        this.plans.set(resource.physicalId, {
          id: resource.physicalId,
          name: typeof p.UsagePlanName === 'string' ? p.UsagePlanName : resource.logicalId,
          apiStages: (Array.isArray(p.ApiStages) ? p.ApiStages : []).map((s) => {
            const stage = record(s);
            const methodThrottles: Record<string, ThrottleSettings> = {};
            for (const [path, value] of Object.entries(record(stage.Throttle))) {
              const t = throttleOf(value);
              if (t) methodThrottles[path] = t;
            }
            return { apiId: String(stage.ApiId), stage: String(stage.Stage), methodThrottles };
          }),
          throttle: throttleOf(p.Throttle),
          quota:
            limit !== undefined && (period === 'DAY' || period === 'WEEK' || period === 'MONTH')
              ? { limit, period, offset: num(quota.Offset) ?? 0 }
              : undefined,
        });
      }
    }
    for (const resource of model.resources) {
      if (resource.type !== 'AWS::ApiGateway::UsagePlanKey') continue;
      const planId = String(resource.properties.UsagePlanId);
      const keys = this.planKeys.get(planId) ?? new Set<string>();
      keys.add(String(resource.properties.KeyId));
      this.planKeys.set(planId, keys);
    }
    this.save();
  }

  /** Creates a key (value generated when not given), like CreateApiKey. */
  createApiKey(input: CreateApiKeyInput, now: Date = new Date()): ApiKeyRecord {
    const key: ApiKeyRecord = {
      id: randomString(10, ALPHANUMERIC),
      value: input.value ?? randomString(40, MIXED),
      name: input.name ?? '',
      description: input.description,
      customerId: input.customerId,
      enabled: input.enabled ?? false,
      createdDate: now,
      lastUpdatedDate: now,
      stageKeys: input.stageKeys ?? [],
    };
    this.keys.set(key.id, key);
    this.save();
    return key;
  }

  /** Every key, optionally only those whose name starts with `nameQuery` (as GetApiKeys filters). */
  listApiKeys(nameQuery?: string): ApiKeyRecord[] {
    return [...this.keys.values()].filter((k) => !nameQuery || k.name.startsWith(nameQuery));
  }

  getApiKey(id: string): ApiKeyRecord | undefined {
    return this.keys.get(id);
  }

  /** Deletes a key and its usage plan bindings; false when there was no such key. */
  deleteApiKey(id: string): boolean {
    for (const keys of this.planKeys.values()) keys.delete(id);
    const deleted = this.keys.delete(id);
    this.save();
    return deleted;
  }

  /**
   * Changes a key's name, description, customer id or enabled flag, like UpdateApiKey; undefined when there is no
   * such key. A disabled key is refused by `authorize` from the next request on, as API Gateway refuses it.
   */
  updateApiKey(
    id: string,
    changes: Partial<Pick<ApiKeyRecord, 'name' | 'description' | 'customerId' | 'enabled'>>,
    now: Date = new Date(),
  ): ApiKeyRecord | undefined {
    const key = this.keys.get(id);
    if (!key) return undefined;
    const updated: ApiKeyRecord = { ...key, ...changes, lastUpdatedDate: now };
    this.keys.set(id, updated);
    this.save();
    return updated;
  }

  /** Every usage plan, in template order. */
  listUsagePlans(): UsagePlanRecord[] {
    return [...this.plans.values()];
  }

  getUsagePlan(id: string): UsagePlanRecord | undefined {
    return this.plans.get(id);
  }

  /** Binds a key to a plan, like CreateUsagePlanKey. */
  addUsagePlanKey(planId: string, keyId: string): 'created' | 'conflict' | 'no-plan' | 'no-key' {
    if (!this.plans.has(planId)) return 'no-plan';
    if (!this.keys.has(keyId)) return 'no-key';
    const keys = this.planKeys.get(planId) ?? new Set<string>();
    if (keys.has(keyId)) return 'conflict';
    keys.add(keyId);
    this.planKeys.set(planId, keys);
    this.save();
    return 'created';
  }

  /** Unbinds a key from a plan, like DeleteUsagePlanKey. */
  removeUsagePlanKey(planId: string, keyId: string): 'deleted' | 'no-plan' | 'not-bound' {
    if (!this.plans.has(planId)) return 'no-plan';
    if (!this.planKeys.get(planId)?.delete(keyId)) return 'not-bound';
    this.save();
    return 'deleted';
  }

  /** The keys bound to a plan. */
  usagePlanKeys(planId: string): ApiKeyRecord[] {
    return [...(this.planKeys.get(planId) ?? [])].flatMap((id) => this.keys.get(id) ?? []);
  }

  /**
   * The enabled key with this value and a plan that covers the API stage, or `undefined` (API Gateway's 403).
   * `stageIds` are every name the stage goes by (its StageName and its Stage resource's physical id).
   */
  authorize(value: string | undefined, apiId: string, stageIds: readonly string[]): KeyGrant | undefined {
    if (!value) return undefined;
    const key = [...this.keys.values()].find((k) => k.value === value && k.enabled);
    if (!key) return undefined;
    for (const [planId, keyIds] of this.planKeys) {
      if (!keyIds.has(key.id)) continue;
      const plan = this.plans.get(planId);
      const planStage = plan?.apiStages.find((s) => s.apiId === apiId && stageIds.includes(s.stage));
      if (plan && planStage) return { key, plan, planStage };
    }
    return undefined;
  }
}
