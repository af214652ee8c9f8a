import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlansCommand,
  NotFoundException,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
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
  /** Plan ids by name, looked up once per execution environment (plans change only with a deployment). */
  let planIds: Promise<Map<string, string>> | undefined;

  async function listUsagePlans(): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    let position: string | undefined;
    do {
      const page = await apiGateway.send(new GetUsagePlansCommand({ limit: 500, position }));
      for (const plan of page.items ?? []) if (plan.name && plan.id) ids.set(plan.name, plan.id);
      position = page.position;
    } while (position);
    return ids;
  }

  async function usagePlanId(tier: Tier): Promise<string> {
    planIds ??= listUsagePlans().catch((error: unknown) => {
      planIds = undefined;
      throw error;
    });
    const id = (await planIds).get(planNames[tier]);
    if (!id) throw new Error(`usage plan '${planNames[tier]}' for tier ${tier} does not exist`);
    return id;
  }

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
   * Moves the key from the `from` tier's plan to the `to` tier's: off the old plan first (a key may not be on
   * two plans of one stage), then onto the new one. Safe to repeat: a key already off the old plan or already on
   * the new one is accepted, so a retried tier change finishes the move.
   */
  async function moveApiKey(keyId: string, from: Tier, to: Tier): Promise<void> {
    try {
      await apiGateway.send(new DeleteUsagePlanKeyCommand({ usagePlanId: await usagePlanId(from), keyId }));
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
    try {
      await apiGateway.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: await usagePlanId(to), keyId, keyType: 'API_KEY' }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
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

/** Issuing of per-tenant API keys, bound to the tier plans. */
export type ApiKeys = ReturnType<typeof createApiKeys>;
