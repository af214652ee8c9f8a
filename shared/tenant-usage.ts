import {
  type APIGatewayClient,
  GetUsageCommand,
  GetUsagePlansCommand,
  type QuotaPeriodType,
} from '@aws-sdk/client-api-gateway';

/** A tenant's plan limits and what it has used and has left of its quota this period. */
export interface TenantUsage {
  readonly plan: { readonly id: string; readonly name: string };
  /** Requests per second and burst, as the usage plan throttles the tenant's key. */
  readonly throttle: { readonly rateLimit?: number; readonly burstLimit?: number };
  /** The quota for the current period; absent when the plan has none. */
  readonly quota?: {
    readonly limit: number;
    readonly period: QuotaPeriodType;
    /** The period's first day and today (UTC, `yyyy-MM-dd`): the range the counts cover. */
    readonly periodStart: string;
    readonly asOf: string;
    readonly used: number;
    readonly remaining: number;
  };
}

const day = (time: number) => new Date(time).toISOString().slice(0, 10);

/** The first UTC day of the quota period `now` is in (weeks start on Monday, as API Gateway's do). */
export function quotaPeriodStart(period: QuotaPeriodType, now: Date): string {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (period === 'DAY') return day(Date.UTC(y, m, d));
  if (period === 'WEEK') return day(Date.UTC(y, m, d - ((now.getUTCDay() + 6) % 7)));
  return day(Date.UTC(y, m, 1));
}

/**
 * Reads a tenant's usage from API Gateway's own records for its API key: the usage plan the key is on
 * (GetUsagePlans by keyId, so a tier change that moved the key is followed), its throttle and quota, and GetUsage
 * over the quota period so far (readQuotaUse: `remaining` what the last day reports left, `used` what the period
 * has taken of the limit, including usage a tier change carried over).
 * Shared by the tenant's `GET /usage` and the operator's view of any tenant. API Gateway's usage records lag
 * the requests by a few minutes: the counts are as of its last update, not this instant.
 *
 * Needs apigateway:GET on `/usageplans` and `/usageplans/*` (the plan's usage).
 */
export async function readTenantUsage(
  apiGateway: APIGatewayClient,
  apiKeyId: string,
  now: Date = new Date(),
): Promise<TenantUsage> {
  const { items } = await apiGateway.send(new GetUsagePlansCommand({ keyId: apiKeyId }));
  const plan = items?.[0];
  if (plan?.id === undefined) throw new Error(`API key ${apiKeyId} is on no usage plan`);
  const throttle = {
    ...(plan.throttle?.rateLimit === undefined ? {} : { rateLimit: plan.throttle.rateLimit }),
    ...(plan.throttle?.burstLimit === undefined ? {} : { burstLimit: plan.throttle.burstLimit }),
  };
  const base = { plan: { id: plan.id, name: plan.name ?? '' }, throttle };
  const { limit, period } = plan.quota ?? {};
  if (limit === undefined || period === undefined) return base;
  const counts = await readQuotaUse(apiGateway, { id: plan.id, quota: { limit, period } }, apiKeyId, now);
  return { ...base, quota: { limit, period, ...counts } };
}

/** What a key has used and has left of a plan's quota this period, and the range the counts cover. */
export interface QuotaUse {
  readonly periodStart: string;
  readonly asOf: string;
  readonly used: number;
  readonly remaining: number;
}

/**
 * Reads GetUsage for `keyId` on the plan over the quota period so far. `remaining` is what the last day reports
 * left; `used` is the larger of the daily counts' sum and the limit less `remaining`, because a tier change
 * carries the period's usage to the new plan by setting its remaining quota (UpdateUsage), which leaves the new
 * plan's daily counts at what was sent on it. A key with no record on the plan has used nothing of it.
 */
export async function readQuotaUse(
  apiGateway: APIGatewayClient,
  plan: { readonly id: string; readonly quota: { readonly limit: number; readonly period: QuotaPeriodType } },
  keyId: string,
  now: Date = new Date(),
): Promise<QuotaUse> {
  const { limit, period } = plan.quota;
  const periodStart = quotaPeriodStart(period, now);
  const asOf = day(now.getTime());
  const usage = await apiGateway.send(
    new GetUsageCommand({ usagePlanId: plan.id, keyId, startDate: periodStart, endDate: asOf }),
  );
  const log = usage.items?.[keyId] ?? [];
  const counted = log.reduce((sum, [count = 0]) => sum + count, 0);
  const remaining = log.at(-1)?.[1] ?? limit;
  return { periodStart, asOf, used: Math.max(counted, limit - remaining), remaining };
}
