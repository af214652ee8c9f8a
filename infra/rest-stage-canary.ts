import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { RestStageCanaryConfig } from './config';

/**
 * Puts a canary on the REST API's stage: every `cdk deploy` that changes the API makes its new deployment the
 * canary, which receives `percentTraffic` percent of the stage's requests (with `stageVariableOverrides`), while
 * the rest stays on the stage's base deployment until an operator promotes or deletes the canary (README,
 * "Canary releases"). Without a canary config nothing changes.
 *
 * The CDK has no L2 for this, and of the two CloudFormation properties only the stage's fits the RestApi:
 * - `AWS::ApiGateway::Deployment.DeploymentCanarySettings` only means something when that deployment itself
 *   names an existing stage (`StageName`, CreateDeployment into a stage). The RestApi's deployments name none
 *   (the stage is its own `AWS::ApiGateway::Stage`), the stage does not exist yet on the first deploy, and the
 *   property replaces the deployment on every change.
 * - `AWS::ApiGateway::Stage.CanarySetting` is updated in place. Its `DeploymentId` is the canary; the stage's
 *   own `DeploymentId` is the base. The RestApi points the base at its latest deployment, which would put both
 *   on the same (new) version, so while a canary is on the base is a deployment of its own that CloudFormation
 *   creates once and then leaves alone: promotion (`update-stage`) moves the base, and later deploys, which no
 *   longer change the stage's `DeploymentId` in the template, do not move it back.
 *
 * Deployments stay in place when the template drops them (a promoted one is what the stage serves), and removing
 * the canary from the config does not remove it from the stage: CloudFormation drops the property from its own
 * record but leaves the stage's canary as it is (aws/aws-cdk#33901), so the README's `update-stage` removes it.
 */
export function applyRestStageCanary(api: apigw.RestApi, canary: RestStageCanaryConfig | undefined): void {
  if (canary === undefined) return;
  const latest = api.latestDeployment;
  if (latest === undefined) {
    throw new Error('a REST stage canary needs the API to deploy its own stage: leave `deploy` on');
  }
  if (canary.percentTraffic <= 0 || canary.percentTraffic > 100) {
    throw new Error(
      `rest stage canary percentTraffic=${canary.percentTraffic} is not a percentage: use a value above 0 and at most 100`,
    );
  }
  const stage = api.deploymentStage.node.defaultChild as apigw.CfnStage;
  const latestCfn = latest.node.defaultChild as apigw.CfnDeployment;
  // The construct's content hash gives each API version its own deployment; an old one may be the promoted base.
  latestCfn.applyRemovalPolicy(RemovalPolicy.RETAIN);

  // A fixed logical id and fixed properties: created once (after the latest deployment, so after every method),
  // never replaced by later deploys.
  const base = new apigw.CfnDeployment(api, 'CanaryBaseDeployment', {
    restApiId: api.restApiId,
    description: 'base release of the stage while a stage canary is on (moved by promotion, not by deploys)',
  });
  base.node.addDependency(latest);
  base.applyRemovalPolicy(RemovalPolicy.RETAIN);

  stage.deploymentId = base.ref;
  stage.canarySetting = {
    deploymentId: latestCfn.ref,
    percentTraffic: canary.percentTraffic,
    stageVariableOverrides: { ...canary.stageVariableOverrides },
    // The cache holds the base's responses; the version under test answers for itself.
    useStageCache: false,
  };
}
