import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';

/** Rate (requests/s), burst and monthly quota of one tier. */
export interface TierLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly monthlyQuota: number;
}

/** The tiers' limits when the stack does not set them. */
export const DEFAULT_TIER_LIMITS: { readonly basic: TierLimits; readonly premium: TierLimits } = {
  basic: { rateLimit: 10, burstLimit: 20, monthlyQuota: 10_000 },
  premium: { rateLimit: 100, burstLimit: 200, monthlyQuota: 1_000_000 },
};

/** How many tenants of each tier the backend is sized for. */
export interface ExpectedTenants {
  readonly basic: number;
  readonly premium: number;
}

/** The sizing the stage ceiling assumes by default; raise it (and the account's limits) as tenants are added. */
export const DEFAULT_EXPECTED_TENANTS: ExpectedTenants = { basic: 50, premium: 10 };

/**
 * The stage-wide throttle that protects the backend: 20% above what every expected tenant's plan adds up to,
 * so no tenant within its own plan is ever throttled by the others. Tenant fairness is the usage plans' job
 * (each tenant has its own key); a stage or method throttle below this sum would let one tenant spend a
 * budget all share (a noisy neighbour). Must stay under the account's Region limit (10 000 rps, burst 5 000).
 */
export function backendCeiling(
  expected: ExpectedTenants = DEFAULT_EXPECTED_TENANTS,
  limits: { readonly basic: TierLimits; readonly premium: TierLimits } = DEFAULT_TIER_LIMITS,
): { readonly rateLimit: number; readonly burstLimit: number } {
  const sum = (pick: (tier: TierLimits) => number) =>
    Math.ceil(1.2 * (expected.basic * pick(limits.basic) + expected.premium * pick(limits.premium)));
  return { rateLimit: sum((tier) => tier.rateLimit), burstLimit: sum((tier) => tier.burstLimit) };
}

export interface TenantUsagePlansProps {
  readonly api: apigw.RestApi;
  /** @default rate 10/s, burst 20, 10 000 requests a month */
  readonly basic?: TierLimits;
  /** @default rate 100/s, burst 200, 1 000 000 requests a month */
  readonly premium?: TierLimits;
}

/**
 * One usage plan per tier. Onboarding attaches each tenant's own API key to its tier's plan, so the
 * limits apply per tenant (not shared by a tier).
 */
export class TenantUsagePlans extends Construct {
  readonly basic: apigw.UsagePlan;
  readonly premium: apigw.UsagePlan;
  /** The plans' names, known at synth time (their ids are not). */
  readonly names: { readonly basic: string; readonly premium: string };

  constructor(scope: Construct, id: string, props: TenantUsagePlansProps) {
    super(scope, id);
    this.names = { basic: `${props.api.restApiName}-basic`, premium: `${props.api.restApiName}-premium` };
    const plan = (tier: 'Basic' | 'Premium', limits: TierLimits) =>
      props.api.addUsagePlan(`${tier}Plan`, {
        name: tier === 'Basic' ? this.names.basic : this.names.premium,
        description: `${tier} tier: per-tenant limits`,
        throttle: { rateLimit: limits.rateLimit, burstLimit: limits.burstLimit },
        quota: { limit: limits.monthlyQuota, period: apigw.Period.MONTH },
        apiStages: [{ api: props.api, stage: props.api.deploymentStage }],
      });
    this.basic = plan('Basic', props.basic ?? DEFAULT_TIER_LIMITS.basic);
    this.premium = plan('Premium', props.premium ?? DEFAULT_TIER_LIMITS.premium);
  }
}
