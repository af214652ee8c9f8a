import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface RegionalWafProps {
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /**
   * Requests per 5 minutes from one IP before it is blocked.
   * @default 2000
   */
  readonly ipRateLimit?: number;
}

/**
 * A regional web ACL in front of the REST API stage: AWS managed rule groups (IP reputation first, so known-bad
 * sources are dropped before any inspection; then common, known bad inputs and SQL injection) plus a per-IP
 * rate limit.
 */
export class RegionalWaf extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: RegionalWafProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('rest-api'),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 1),
        managed('AWSManagedRulesCommonRuleSet', 2),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 3),
        managed('AWSManagedRulesSQLiRuleSet', 4),
        {
          name: 'PerIpRateLimit',
          priority: 5,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.ipRateLimit ?? 2000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('PerIpRateLimit'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
