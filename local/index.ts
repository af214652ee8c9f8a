/**
 * cdk-local-cloud: serves a synthesized CDK app (its cdk.out) on this machine — no AWS account, no Docker.
 * `startLocalCloud` is the library entry; `runLocalCloudCli` is the command line (`cdk-local-cloud`), which an
 * app's own start script can wrap with hooks (seed data, print its own examples).
 */

export { type AdminState, RecentRequests, startAdminServer } from './cli/admin-server';
export { type CloudOutputs, cloudOutputs } from './cli/cloud-outputs';
export {
  CliExit,
  type CliHooks,
  type CliRun,
  EXIT,
  exitOnCliFailure,
  runLocalCloudCli,
} from './cli/run-cli';
export { findCdkCli, type SynthesizeOptions, synthesizeApp } from './cli/synthesize-app';
export {
  LOCAL_CREDENTIALS,
  type LocalCloud,
  type LocalCloudOptions,
  type LocalRestApi,
  startLocalCloud,
} from './local-cloud';
export type { LocalService } from './local-service';
export type { LocalCloudModel, LocalResource } from './model';
export type { CacheOutcome, GatewayKind, RequestRecord, RequestRecorder } from './request-records';
export { type DeployOnlyGroup, deployOnlyLine, type NotEmulatedResources } from './resource-coverage';
