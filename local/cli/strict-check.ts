import type { NotEmulatedResources } from '../resource-coverage';

/**
 * Types whose absence only makes the local cloud more permissive: IAM and resource policies (nothing is refused
 * locally that AWS would allow) and log groups (the output goes to the console instead). Every CDK app with a
 * function has a role, so `--strict` failing on these would fail on every app; they are still listed at start.
 */
const PERMISSIVE_ONLY = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::S3::BucketPolicy',
  'AWS::Events::EventBusPolicy',
  'AWS::SecretsManager::ResourcePolicy',
]);

/** What `--strict` refuses: every not-emulated resource an app could notice missing (S3, custom resources, unknown types). */
export function strictViolations(notEmulated: readonly NotEmulatedResources[]): NotEmulatedResources[] {
  return notEmulated.filter((group) => !PERMISSIVE_ONLY.has(group.type));
}
