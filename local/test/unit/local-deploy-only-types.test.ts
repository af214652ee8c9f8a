import { DEPLOY_ONLY_TYPES } from '../../deploy-only/deploy-only-types';
import { deployTimeNotices } from '../../deploy-only/deploy-time-settings';
import { NO_LOCAL_COUNTERPART } from '../../deploy-only/no-local-counterpart';
import type { LocalResource } from '../../model';
import { resourceCoverage } from '../../resource-coverage';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:App-Topic';
const KEY_ID = '0f1e2d3c-aaaa-bbbb-cccc-000000000001';

const resource = (
  logicalId: string,
  type: string,
  properties: Record<string, unknown> = {},
  identity: Partial<Pick<LocalResource, 'physicalId' | 'attributes'>> = {},
): LocalResource => ({
  stackName: 'App',
  logicalId,
  type,
  physicalId: identity.physicalId ?? logicalId,
  properties,
  attributes: identity.attributes ?? {},
});

const topic = resource(
  'Topic',
  'AWS::SNS::Topic',
  {},
  { physicalId: TOPIC_ARN, attributes: { TopicArn: TOPIC_ARN } },
);
const alarm = resource('Alarm', 'AWS::CloudWatch::Alarm', { AlarmActions: [TOPIC_ARN] });
const email = resource('Mail', 'AWS::SNS::Subscription', { TopicArn: TOPIC_ARN, Protocol: 'email' });
const key = resource('Key', 'AWS::KMS::Key', {}, { physicalId: KEY_ID, attributes: { KeyId: KEY_ID } });
const fn = (variables: Record<string, string>) =>
  resource('Fn', 'AWS::Lambda::Function', { Environment: { Variables: variables } });

/** The coverage of `resources` by the deploy-only declarations alone (functions emulated). */
const coverage = (resources: LocalResource[]) =>
  resourceCoverage(resources, [
    { emulated: ['AWS::Lambda::Function'], notEmulated: NO_LOCAL_COUNTERPART, deployOnly: DEPLOY_ONLY_TYPES },
  ]);
const deployOnlyTypes = (resources: LocalResource[]) =>
  coverage(resources).deployOnly.flatMap((group) => group.types.map((entry) => entry.type));
const notEmulatedTypes = (resources: LocalResource[]) =>
  coverage(resources).notEmulated.map((entry) => entry.type);

describe('which resources are deploy-only', () => {
  it.each([
    'AWS::CloudWatch::Alarm',
    'AWS::CloudWatch::CompositeAlarm',
    'AWS::CloudWatch::Dashboard',
    'AWS::CloudWatch::InsightRule',
    'AWS::Logs::QueryDefinition',
    'AWS::Logs::MetricFilter',
    'AWS::Logs::SubscriptionFilter',
    'AWS::SNS::Topic',
    'AWS::SNS::Subscription',
    'AWS::SNS::TopicPolicy',
    'AWS::KMS::Key',
    'AWS::KMS::Alias',
    'AWS::CodeDeploy::Application',
    'AWS::CodeDeploy::DeploymentGroup',
    'AWS::Synthetics::Canary',
    'AWS::ApiGateway::DomainName',
    'AWS::ApiGateway::BasePathMapping',
    'AWS::ApiGatewayV2::DomainName',
    'AWS::ApiGatewayV2::ApiMapping',
    'AWS::Route53::RecordSet',
    'AWS::Route53::HostedZone',
    'AWS::CertificateManager::Certificate',
    'AWS::WAFv2::WebACL',
    'AWS::WAFv2::WebACLAssociation',
    'AWS::ApiGateway::Account',
    'Custom::S3AutoDeleteObjects',
  ])('declares %s deploy-only', (type) => {
    expect(DEPLOY_ONLY_TYPES[type]).toBeDefined();
    expect(NO_LOCAL_COUNTERPART[type]).toBeUndefined();
  });

  it.each(['AWS::SecretsManager::Secret', 'AWS::SSM::Parameter', 'Custom::AWS'])(
    'declares %s not emulated, with its reason, since an app may use it at run time',
    (type) => {
      expect(NO_LOCAL_COUNTERPART[type]).toEqual(expect.any(String));
      expect(DEPLOY_ONLY_TYPES[type]).toBeUndefined();
    },
  );

  it('counts a topic only alarms notify, and its e-mail subscription, as monitoring', () => {
    const { deployOnly, notEmulated } = coverage([alarm, topic, email]);

    expect(notEmulated).toEqual([]);
    expect(deployOnly).toEqual([
      expect.objectContaining({
        category: 'monitoring',
        types: expect.arrayContaining([
          expect.objectContaining({ type: 'AWS::SNS::Topic', logicalIds: ['App/Topic'] }),
          expect.objectContaining({ type: 'AWS::SNS::Subscription', logicalIds: ['App/Mail'] }),
        ]),
      }),
    ]);
  });

  it('reports a topic a function is given, with its subscriptions, as not emulated: its messages would go nowhere', () => {
    const resources = [alarm, topic, email, fn({ TOPIC_ARN })];

    expect(notEmulatedTypes(resources)).toEqual(['AWS::SNS::Subscription', 'AWS::SNS::Topic']);
    expect(coverage(resources).notEmulated[1]?.reason).toMatch(/not delivered/);
  });

  it('reports a topic that delivers to a queue as not emulated, even when an alarm notifies it', () => {
    const toQueue = resource('ToQueue', 'AWS::SNS::Subscription', { TopicArn: TOPIC_ARN, Protocol: 'sqs' });

    expect(notEmulatedTypes([alarm, topic, toQueue])).toEqual(['AWS::SNS::Subscription', 'AWS::SNS::Topic']);
  });

  it('counts a key no function is given as encryption at rest, and one a function is given as not emulated', () => {
    expect(deployOnlyTypes([key])).toEqual(['AWS::KMS::Key']);
    expect(notEmulatedTypes([key, fn({ KEY: KEY_ID })])).toEqual(['AWS::KMS::Key']);
  });

  it('reports a log subscription filter that feeds a function as not emulated', () => {
    const filter = resource('Filter', 'AWS::Logs::SubscriptionFilter', {
      DestinationArn: 'arn:aws:lambda:eu-west-1:123456789012:function:shipper',
    });
    const toStream = resource('ToStream', 'AWS::Logs::SubscriptionFilter', {
      DestinationArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/logs',
    });

    expect(coverage([filter, toStream])).toMatchObject({
      notEmulated: [{ type: 'AWS::Logs::SubscriptionFilter', logicalIds: ['App/Filter'] }],
      deployOnly: [{ types: [{ logicalIds: ['App/ToStream'] }] }],
    });
  });
});

describe('deploy-time settings said at start', () => {
  const api = resource('Api', 'AWS::ApiGateway::RestApi', {}, { physicalId: 'abc123defg' });

  it('names the stage and its canary percent, and says only the main deployment is served', () => {
    const stage = resource('Stage', 'AWS::ApiGateway::Stage', {
      RestApiId: 'abc123defg',
      StageName: 'prod',
      CanarySetting: { PercentTraffic: 10, StageVariableOverrides: { flag: 'on' } },
    });

    expect(deployTimeNotices([api, stage])).toEqual([
      expect.stringMatching(/^App\/Api stage prod: canary 10 % .*serves the stage's main deployment only$/),
    ]);
  });

  it('says an API whose execute-api endpoint is disabled is served locally anyway, REST or HTTP', () => {
    const rest = resource('Rest', 'AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    const http = resource('Http', 'AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: 'true' });

    expect(deployTimeNotices([rest, http])).toEqual([
      expect.stringMatching(/^App\/Rest: .*disabled in AWS.*served locally/),
      expect.stringMatching(/^App\/Http: .*disabled in AWS.*served locally/),
    ]);
  });

  it('says nothing of a stage without a canary or an API with its endpoint on', () => {
    const stage = resource('Stage', 'AWS::ApiGateway::Stage', { RestApiId: 'abc123defg', StageName: 'prod' });
    const enabled = resource('Http', 'AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });

    expect(deployTimeNotices([api, stage, enabled])).toEqual([]);
  });
});
