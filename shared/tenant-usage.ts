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
 * over the quota period so far — `used` the sum of the daily counts, `remaining` what the last day reports left.
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
  const periodStart = quotaPeriodStart(period, now);
  const asOf = day(now.getTime());
  const usage = await apiGateway.send(
    new GetUsageCommand({ usagePlanId: plan.id, keyId: apiKeyId, startDate: periodStart, endDate: asOf }),
  );
  const log = usage.items?.[apiKeyId] ?? [];
  const used = log.reduce((sum, [count = 0]) => sum + count, 0);
  const remaining = log.at(-1)?.[1] ?? limit;
  return { ...base, quota: { limit, period, periodStart, asOf, used, remaining } };
}
