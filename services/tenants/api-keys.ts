import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlansCommand,
  NotFoundException,
  type QuotaPeriodType,
  UpdateApiKeyCommand,
  UpdateUsageCommand,
} from '@aws-sdk/client-api-gateway';
import { readQuotaUse } from '../../shared/tenant-usage';
import type { Tier } from '../../shared/tier';
import { tracer } from '../../shared/tracer';

/** The deterministic key name that lets a retry find the key an earlier attempt created. */
export function apiKeyName(tenantId: string): string {
  return `tenant-${tenantId}`;
}

/**
 * Per-tenant API keys on the tier usage plans, which are found by name (their ids cannot be configured: see
 * services/tenants/environment.ts).
 */
export function createApiKeys(
  planNames: Readonly<Record<Tier, string>>,
  apiGateway: APIGatewayClient = tracer.captureAWSv3Client(new APIGatewayClient({})),
) {
  /** Plans by name, looked up once per execution environment (plans change only with a deployment). */
  let plans: Promise<Map<string, UsagePlan>> | undefined;

  async function listUsagePlans(): Promise<Map<string, UsagePlan>> {
    const byName = new Map<string, UsagePlan>();
    let position: string | undefined;
    do {
      const page = await apiGateway.send(new GetUsagePlansCommand({ limit: 500, position }));
      for (const plan of page.items ?? []) {
        if (!plan.name || !plan.id) continue;
        const { limit, period } = plan.quota ?? {};
        byName.set(plan.name, {
          id: plan.id,
          ...(limit === undefined || period === undefined ? {} : { quota: { limit, period } }),
        });
      }
      position = page.position;
    } while (position);
    return byName;
  }

  async function usagePlan(tier: Tier): Promise<UsagePlan> {
    plans ??= listUsagePlans().catch((error: unknown) => {
      plans = undefined;
      throw error;
    });
    const plan = (await plans).get(planNames[tier]);
    if (!plan) throw new Error(`usage plan '${planNames[tier]}' for tier ${tier} does not exist`);
    return plan;
  }

  const usagePlanId = async (tier: Tier): Promise<string> => (await usagePlan(tier)).id;

  async function findApiKeyId(name: string): Promise<string | undefined> {
    let position: string | undefined;
    do {
      const page = await apiGateway.send(
        new GetApiKeysCommand({ nameQuery: name, includeValues: false, limit: 500, position }),
      );
      // nameQuery may match by prefix, so only an exact name counts.
      const match = page.items?.find((key) => key.name === name && key.id);
      if (match?.id) return match.id;
      position = page.position;
    } while (position);
    return undefined;
  }

  /**
   * Makes sure the tenant has its API key (with the value stored at claim time) and that the key is on its
   * tier's usage plan, so per-tenant throttling and quotas apply. Safe to repeat: an existing key is reused
   * and an existing plan attachment is accepted.
   *
   * @returns the API key id
   */
  async function ensureTenantApiKey(tenantId: string, value: string, tier: Tier): Promise<string> {
    const name = apiKeyName(tenantId);
    let keyId = await findApiKeyId(name);
    if (!keyId) {
      try {
        const created = await apiGateway.send(
          new CreateApiKeyCommand({ name, value, enabled: true, tags: { tenantId } }),
        );
        keyId = created.id;
      } catch (error) {
        // A concurrent attempt created it between our lookup and create: use that one.
        if (!(error instanceof ConflictException)) throw error;
        keyId = await findApiKeyId(name);
      }
    }
    if (!keyId) throw new Error(`API key ${name} could be neither found nor created`);
    try {
      await apiGateway.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: await usagePlanId(tier), keyId, keyType: 'API_KEY' }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
    return keyId;
  }

  /**
   * Enables or disables the tenant's key: API Gateway refuses a disabled key (403) on every keyed route from
   * then on, whatever the authorizer decided, so a suspension holds even where no code of ours runs.
   */
  async function setApiKeyEnabled(keyId: string, enabled: boolean): Promise<void> {
    await apiGateway.send(
      new UpdateApiKeyCommand({
        apiKey: keyId,
        patchOperations: [{ op: 'replace', path: '/enabled', value: String(enabled) }],
      }),
    );
  }

  /**
   * What the key has used of `plan`'s quota this period; undefined when the plan has no quota or the key is
   * not on it (GetUsage answers a plan's own keys only), so there is nothing to carry.
   */
  async function usedOn(plan: UsagePlan, keyId: string, now: Date): Promise<number | undefined> {
    if (plan.quota === undefined) return undefined;
    try {
      await apiGateway.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id, keyId }));
    } catch (error) {
      if (error instanceof NotFoundException) return undefined;
      throw error;
    }
    return (await readQuotaUse(apiGateway, { id: plan.id, quota: plan.quota }, keyId, now)).used;
  }

  /**
   * Moves the key from the `from` tier's plan to the `to` tier's, and the period's usage with it: what the key
   * used on the old plan is read first (GetUsage), then the key leaves the old plan (a key may not be on two plans
   * of one stage) and joins the new one, whose remaining quota is set to its limit less that use, never below 0
   * (UpdateUsage `replace /remaining`), so a tier change neither resets nor forgets the period's consumption.
   * Safe to repeat: a key already off the old plan or already on the new one is accepted, so a retried tier
   * change finishes the move (a retry after the key left the old plan has no use left to read, so a move that
   * failed between the two steps carries nothing over).
   */
  async function moveApiKey(keyId: string, from: Tier, to: Tier, now: Date = new Date()): Promise<void> {
    const [oldPlan, newPlan] = [await usagePlan(from), await usagePlan(to)];
    const used = await usedOn(oldPlan, keyId, now);
    try {
      await apiGateway.send(new DeleteUsagePlanKeyCommand({ usagePlanId: oldPlan.id, keyId }));
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
    try {
      await apiGateway.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: newPlan.id, keyId, keyType: 'API_KEY' }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
    if (used === undefined || newPlan.quota === undefined) return;
    const remaining = Math.max(0, newPlan.quota.limit - used);
    await apiGateway.send(
      new UpdateUsageCommand({
        usagePlanId: newPlan.id,
        keyId,
        patchOperations: [{ op: 'replace', path: '/remaining', value: String(remaining) }],
      }),
    );
  }

  /** Deletes the key (and with it its plan bindings); a key already gone is accepted. */
  async function deleteApiKey(keyId: string): Promise<void> {
    try {
      await apiGateway.send(new DeleteApiKeyCommand({ apiKey: keyId }));
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
  }

  return { ensureTenantApiKey, setApiKeyEnabled, moveApiKey, deleteApiKey };
}

/** A tier's usage plan as the key moves need it: its id and quota. */
interface UsagePlan {
  readonly id: string;
  readonly quota?: { readonly limit: number; readonly period: QuotaPeriodType };
}

/** Issuing of per-tenant API keys, bound to the tier plans. */
export type ApiKeys = ReturnType<typeof createApiKeys>;
