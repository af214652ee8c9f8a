import { CfnResource, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './config';

/**
 * Resource types that hold data: what a stage either keeps when its stack is deleted (prod: the data outlives the
 * code and an accidental `cdk destroy`) or deletes with it (a sandbox: `npm run destroy` leaves nothing billable
 * behind). CDK's own defaults differ by type (a table is retained, a log group is not), so one list decides for all.
 */
export const STAGE_OWNED_TYPES: readonly string[] = [
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Cognito::UserPool',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
];

/**
 * Types that bill while they exist but hold no data of their own: deleted with a sandbox (CDK retains a KMS key
 * by default); in prod the construct that creates one decides, since only it knows whether the key encrypts data
 * that is kept.
 */
export const DELETED_WITH_A_SANDBOX: readonly string[] = ['AWS::KMS::Key'];

/**
 * Applies the stage's removal policy to every resource of {@link STAGE_OWNED_TYPES} in a stack, and deletes every
 * {@link DELETED_WITH_A_SANDBOX} one with a sandbox, including the ones a construct library creates, so no
 * capability can forget it.
 */
export class StageRemovalPolicy implements IAspect {
  private readonly retainData: boolean;

  constructor(config: Pick<StageConfig, 'retainData'>) {
    this.retainData = config.retainData;
  }

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    if (STAGE_OWNED_TYPES.includes(node.cfnResourceType)) {
      node.applyRemovalPolicy(this.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    } else if (!this.retainData && DELETED_WITH_A_SANDBOX.includes(node.cfnResourceType)) {
      node.applyRemovalPolicy(RemovalPolicy.DESTROY);
    }
  }
}
