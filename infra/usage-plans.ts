import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';

/** Rate (requests/s), burst and monthly quota of one tier. */
export interface TierLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly monthlyQuota: number;
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
    this.basic = plan('Basic', props.basic ?? { rateLimit: 10, burstLimit: 20, monthlyQuota: 10_000 });
    this.premium = plan(
      'Premium',
      props.premium ?? { rateLimit: 100, burstLimit: 200, monthlyQuota: 1_000_000 },
    );
  }
}
