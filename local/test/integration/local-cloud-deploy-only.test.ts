import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { LocalCloud } from '../../local-cloud';
import { deployOnlyLine } from '../../resource-coverage';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

let served: CloudOnApp | undefined;
let cloud: LocalCloud | undefined;

/**
 * A function behind a REST API with what a production stage adds around it: an alarm notifying a topic
 * (e-mail), a dashboard, a CodeDeploy deployment group, a custom domain with a base path mapping (imported
 * certificate), a stage canary and the default execute-api endpoint disabled. No alias: the group is an L1.
 */
function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'OpsApp', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      "exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ served: 'main' }) });",
    ),
  });
  const api = new apigw.LambdaRestApi(stack, 'Api', {
    handler: fn,
    proxy: false,
    disableExecuteApiEndpoint: true,
  });
  api.root.addMethod('GET');
  const stage = api.deploymentStage.node.defaultChild as apigw.CfnStage;
  stage.canarySetting = { percentTraffic: 10, stageVariableOverrides: { release: 'next' } };

  const domain = new apigw.DomainName(stack, 'Domain', {
    domainName: 'api.example.com',
    certificate: acm.Certificate.fromCertificateArn(
      stack,
      'Certificate',
      'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    ),
    endpointType: apigw.EndpointType.REGIONAL,
    securityPolicy: apigw.SecurityPolicy.TLS_1_2,
  });
  domain.addBasePathMapping(api, { basePath: 'v1' });

  const topic = new sns.Topic(stack, 'AlarmTopic');
  topic.addSubscription(new subscriptions.EmailSubscription('ops@example.com'));
  const errors = fn.metricErrors().createAlarm(stack, 'ErrorsAlarm', { threshold: 1, evaluationPeriods: 1 });
  errors.addAlarmAction(new actions.SnsAction(topic));
  new cloudwatch.Dashboard(stack, 'Dashboard', {
    widgets: [[new cloudwatch.GraphWidget({ left: [fn.metricInvocations()] })]],
  });

  const application = new codedeploy.LambdaApplication(stack, 'Deploy');
  new codedeploy.CfnDeploymentGroup(stack, 'DeploymentGroup', {
    applicationName: application.applicationName,
    serviceRoleArn: new iam.Role(stack, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
    }).roleArn,
    deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    alarmConfiguration: { enabled: true, alarms: [{ name: errors.alarmName }] },
  });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-deploy-only', synth);
  cloud = served.cloud;
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const running = (): LocalCloud => {
  if (!cloud) throw new Error('the local cloud did not start');
  return cloud;
};

const group = (category: string) => {
  const found = running().deployOnly.find((entry) => entry.category === category);
  if (!found) throw new Error(`no deploy-only group ${category}`);
  return found;
};

describe('a CDK app with monitoring, a deployment group, a custom domain and a stage canary, served locally', () => {
  it('lists the alarm and the dashboard in one monitoring line, and notes the e-mail subscription of the served topic', () => {
    expect(group('monitoring').types.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']),
    );
    expect(deployOnlyLine(group('monitoring'))).toMatch(
      /^deploy-only: monitoring \(.*CloudWatch alarm ×1.*dashboard ×1.*\) — no local meaning/,
    );
    expect(running().notices).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SNS subscription .* \(email\) is not delivered/)]),
    );
  });

  it('lists the CodeDeploy application and group as deployment, and the domain and mapping as custom domains', () => {
    expect(
      group('deployment')
        .types.map((entry) => entry.type)
        .sort(),
    ).toEqual(['AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup']);
    expect(
      group('custom domains')
        .types.map((entry) => entry.type)
        .sort(),
    ).toEqual(['AWS::ApiGateway::BasePathMapping', 'AWS::ApiGateway::DomainName']);
  });

  it('keeps the deploy-only types out of the not-emulated list, and IAM (enforced) out of both', () => {
    const deployOnly = running().deployOnly.flatMap((entry) => entry.types.map((type) => type.type));
    const notEmulated = running().notEmulated.map((entry) => entry.type);

    expect(notEmulated.filter((type) => deployOnly.includes(type))).toEqual([]);
    expect(notEmulated).not.toContain('AWS::IAM::Role');
    expect(deployOnly).not.toContain('AWS::IAM::Role');
    expect(running().notEmulated.filter((entry) => entry.reason === undefined)).toEqual([]);
  });

  it('says the stage canary and the disabled execute-api endpoint at start', () => {
    expect(running().notices).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OpsApp\/Api\w* stage prod: canary 10 % .*main deployment only$/),
        expect.stringMatching(/^OpsApp\/Api\w*: its execute-api endpoint is disabled in AWS.*served locally/),
      ]),
    );
  });

  it('still answers on the API, from the main deployment', async () => {
    const api = running().restApis[0];
    const response = await fetch(`${api?.url}/`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ served: 'main' });
  });
});
