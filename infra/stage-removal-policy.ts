import { CfnResource, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './config';

/**
 * Resource types that hold data, or cost money while they exist: what a stage either keeps when its stack is
 * deleted (prod: the data outlives the code and an accidental `cdk destroy`) or deletes with it (a sandbox:
 * `npm run destroy` leaves nothing billable behind). CDK's own defaults differ by type (a KMS key and a table are
 * retained, a log group is not), so one list decides for all.
 */
export const STAGE_OWNED_TYPES: readonly string[] = [
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Cognito::UserPool',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
];

/**
 * Applies the stage's removal policy to every resource of {@link STAGE_OWNED_TYPES} in a stack, including the ones
 * a construct library creates, so no capability can forget it.
 */
export class StageRemovalPolicy implements IAspect {
  private readonly policy: RemovalPolicy;

  constructor(config: Pick<StageConfig, 'retainData'>) {
    this.policy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  }

  visit(node: IConstruct): void {
    if (node instanceof CfnResource && STAGE_OWNED_TYPES.includes(node.cfnResourceType)) {
      node.applyRemovalPolicy(this.policy);
    }
  }
}
