import { AspectPriority, Aspects, CfnResource, type IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './config';

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
 * Gives every function that has no log group of its own (CDK's custom-resource providers: the SDK-call
 * singleton, the bucket auto-delete provider) one in the stack. Otherwise Lambda creates `/aws/lambda/<name>` on
 * first run: no retention, and left behind when the stack is deleted. Their roles already carry
 * AWSLambdaBasicExecutionRole, which may write any group.
 */
class OwnedFunctionLogs implements IAspect {
  constructor(
    private readonly retention: logs.RetentionDays,
    private readonly removalPolicy: RemovalPolicy,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    if (hasOwnLogGroup(node)) return;
    const scope = node.node.scope ?? Stack.of(node);
    const group = new logs.LogGroup(scope, `${node.node.id}Logs`, {
      retention: this.retention,
      removalPolicy: this.removalPolicy,
    });
    node.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
  }
}

/**
 * Whether a function resource names its log group: an L1/L2 function through `loggingConfig`, a raw resource
 * (what CDK's custom-resource providers create) through the properties it was created with.
 */
function hasOwnLogGroup(fn: CfnResource): boolean {
  const stack = Stack.of(fn);
  const config =
    fn instanceof lambda.CfnFunction
      ? fn.loggingConfig
      : (fn as unknown as { readonly _cfnProperties?: { LoggingConfig?: unknown } })._cfnProperties
          ?.LoggingConfig;
  const resolved = stack.resolve(config) as { LogGroup?: unknown; logGroup?: unknown } | undefined;
  return resolved?.LogGroup !== undefined || resolved?.logGroup !== undefined;
}

/**
 * Applies the stage's log retention (`config.logRetention`) to every `AWS::Logs::LogGroup` under `scope` (it
 * wins over any retention a construct chose), and gives every function without a log group of its own one,
 * so no log group is left to Lambda (none of those could be reached, and none would go with the stack).
 */
export function applyLogRetention(
  scope: IConstruct,
  config: Pick<StageConfig, 'logRetention' | 'retainData'>,
): void {
  Aspects.of(scope).add(
    new OwnedFunctionLogs(
      config.logRetention,
      config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    ),
    { priority: AspectPriority.MUTATING },
  );
  Aspects.of(scope).add(new StageLogRetention(config.logRetention), { priority: AspectPriority.MUTATING });
}
