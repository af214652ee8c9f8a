import { AspectPriority, Aspects, type IAspect } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/**
 * Sets the stage's retention on every log group in scope, whoever created it (a capability construct, a
 * ServiceFunction, or a construct library), so no group keeps CDK's two-year default or grows forever.
 */
class StageLogRetention implements IAspect {
  constructor(private readonly retention: logs.RetentionDays) {}

  visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup) node.retentionInDays = this.retention;
  }
}

/**
 * Applies the stage's log retention (`config.logRetention`) to every `AWS::Logs::LogGroup` under `scope`; it
 * wins over any retention a construct chose. Log groups AWS creates on its own (a function's
 * `/aws/lambda/<name>` when it has no log group of its own) are not CloudFormation resources and cannot be
 * reached: every function of the app is therefore given an owned log group.
 */
export function applyLogRetention(scope: IConstruct, retention: logs.RetentionDays): void {
  Aspects.of(scope).add(new StageLogRetention(retention), { priority: AspectPriority.MUTATING });
}
