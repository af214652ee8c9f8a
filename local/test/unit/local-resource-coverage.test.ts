import type { DeployOnlyCategory, ResourceTypeSupport } from '../../local-service';
import type { LocalResource } from '../../model';
import { deployOnlyLine, resourceCoverage } from '../../resource-coverage';

const resource = (
  logicalId: string,
  type: string,
  properties: Record<string, unknown> = {},
): LocalResource => ({
  stackName: 'App',
  logicalId,
  type,
  physicalId: logicalId,
  properties,
  attributes: {},
});

const resources = [
  resource('Fn', 'AWS::Lambda::Function'),
  resource('Role', 'AWS::IAM::Role'),
  resource('Bucket', 'AWS::S3::Bucket'),
  resource('OtherBucket', 'AWS::S3::Bucket'),
  resource('CDKMetadata', 'AWS::CDK::Metadata'),
];

describe('what the local cloud reports as not emulated', () => {
  it('lists a type no service declares, with every resource of it and no reason', () => {
    expect(
      resourceCoverage(resources, [{ emulated: ['AWS::Lambda::Function', 'AWS::IAM::Role'] }]).notEmulated,
    ).toEqual([
      { type: 'AWS::S3::Bucket', logicalIds: ['App/Bucket', 'App/OtherBucket'], reason: undefined },
    ]);
  });

  it('leaves out a type as soon as one service emulates it', () => {
    const declarations = [
      { emulated: ['AWS::Lambda::Function', 'AWS::IAM::Role'] },
      { emulated: ['AWS::S3::Bucket'] },
    ];
    expect(resourceCoverage(resources, declarations)).toEqual({ notEmulated: [], deployOnly: [] });
  });

  it("lists a type a service accepts without emulating, with that service's reason", () => {
    const declarations = [
      {
        emulated: ['AWS::Lambda::Function', 'AWS::S3::Bucket'],
        notEmulated: { 'AWS::IAM::Role': 'not enforced' },
      },
    ];
    expect(resourceCoverage(resources, declarations).notEmulated).toEqual([
      { type: 'AWS::IAM::Role', logicalIds: ['App/Role'], reason: 'not enforced' },
    ]);
  });
});

const MONITORING: DeployOnlyCategory = { name: 'monitoring', reason: 'no local meaning' };
const DOMAINS: DeployOnlyCategory = { name: 'custom domains', reason: 'no DNS locally' };

describe('what the local cloud groups as deploy-only', () => {
  const app = [
    resource('Fn', 'AWS::Lambda::Function'),
    resource('ErrorsAlarm', 'AWS::CloudWatch::Alarm'),
    resource('LatencyAlarm', 'AWS::CloudWatch::Alarm'),
    resource('Board', 'AWS::CloudWatch::Dashboard'),
    resource('Domain', 'AWS::ApiGateway::DomainName'),
    resource('AlarmTopic', 'AWS::SNS::Topic', { purpose: 'alarms' }),
    resource('EventsTopic', 'AWS::SNS::Topic', { purpose: 'events' }),
  ];
  const declarations: ResourceTypeSupport[] = [
    { emulated: ['AWS::Lambda::Function'] },
    {
      emulated: [],
      deployOnly: {
        'AWS::CloudWatch::Alarm': { category: MONITORING, label: 'CloudWatch alarm' },
        'AWS::CloudWatch::Dashboard': { category: MONITORING, label: 'dashboard' },
        'AWS::ApiGateway::DomainName': { category: DOMAINS, label: 'custom domain' },
        'AWS::SNS::Topic': {
          category: MONITORING,
          label: 'SNS topic',
          only: {
            applies: (topic) => topic.properties.purpose === 'alarms',
            otherwise: 'not delivered locally',
          },
        },
      },
    },
  ];

  it('puts each deploy-only type under its category, most resources first, and not in the not-emulated list', () => {
    const coverage = resourceCoverage(app, declarations);

    expect(coverage.deployOnly).toEqual([
      {
        category: 'custom domains',
        reason: 'no DNS locally',
        types: [{ type: 'AWS::ApiGateway::DomainName', label: 'custom domain', logicalIds: ['App/Domain'] }],
      },
      {
        category: 'monitoring',
        reason: 'no local meaning',
        types: [
          {
            type: 'AWS::CloudWatch::Alarm',
            label: 'CloudWatch alarm',
            logicalIds: ['App/ErrorsAlarm', 'App/LatencyAlarm'],
          },
          { type: 'AWS::CloudWatch::Dashboard', label: 'dashboard', logicalIds: ['App/Board'] },
          { type: 'AWS::SNS::Topic', label: 'SNS topic', logicalIds: ['App/AlarmTopic'] },
        ],
      },
    ]);
    expect(coverage.notEmulated.map((entry) => entry.type)).not.toContain('AWS::CloudWatch::Alarm');
  });

  it('reports a resource of a sometimes-deploy-only type as not emulated, with the reason, when its use is not', () => {
    expect(resourceCoverage(app, declarations).notEmulated).toEqual([
      { type: 'AWS::SNS::Topic', logicalIds: ['App/EventsTopic'], reason: 'not delivered locally' },
    ]);
  });

  it('prints one line per category with each type counted', () => {
    const [, monitoring] = resourceCoverage(app, declarations).deployOnly;
    if (!monitoring) throw new Error('no monitoring group');

    expect(deployOnlyLine(monitoring)).toBe(
      'deploy-only: monitoring (CloudWatch alarm ×2, dashboard ×1, SNS topic ×1) — no local meaning',
    );
  });

  it('refuses a type one service emulates and another calls deploy-only', () => {
    const conflicting = [...declarations, { emulated: ['AWS::CloudWatch::Dashboard'] }];

    expect(() => resourceCoverage(app, conflicting)).toThrow(
      'resource type AWS::CloudWatch::Dashboard is declared twice (deployOnly and emulated)',
    );
  });

  it('refuses a type two services each give a not-emulated reason for', () => {
    const twice = [
      { emulated: [], notEmulated: { 'AWS::S3::Bucket': 'one reason' } },
      { emulated: [], notEmulated: { 'AWS::S3::Bucket': 'another' } },
    ];

    expect(() => resourceCoverage(resources, twice)).toThrow(/AWS::S3::Bucket is declared twice/);
  });
});
