import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { ServiceFunction } from '../../infra/service-function';
import { buildApp } from './app';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  UpdatePolicy?: Record<string, unknown>;
};
type Resources = Record<string, Resource>;

/** Logical ids a value refers to, through Ref and Fn::GetAtt at any depth (Fn::Join, Fn::Select, …). */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return [record.Ref];
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(record).flatMap(referencedIds);
}

/** What the product's functions are in each stage's stateless stack, by construct and by logical id. */
function synthesize(stage: 'sandbox' | 'prod') {
  const { stateless, statelessTemplate } = buildApp(stage);
  const stack = Stack.of(stateless);
  const id = (construct: Construct) => stack.getLogicalId(construct.node.defaultChild as never);
  const functions = stateless.node
    .findAll()
    .filter((c): c is ServiceFunction => c instanceof ServiceFunction)
    .map((fn) => ({
      functionId: id(fn.function),
      aliasId: id(fn.live),
      groupId: id(fn.deploymentGroup),
      alarmIds: fn.alarms.map((alarm: cloudwatch.Alarm) => id(alarm)),
    }));
  const resources = statelessTemplate.toJSON().Resources as Resources;
  return { functions, resources };
}

const sandbox = synthesize('sandbox');
const prod = synthesize('prod');
const { functions, resources } = sandbox;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const aliasIds = new Set(ofType('AWS::Lambda::Alias').map(([id]) => id));
const functionIds = new Set(ofType('AWS::Lambda::Function').map(([id]) => id));

/** The invocation target must name an alias, and never a function unqualified. */
function expectAliasTarget(what: string, value: unknown): void {
  const ids = referencedIds(value);
  expect({ what, alias: ids.some((id) => aliasIds.has(id)) }).toEqual({ what, alias: true });
  expect({ what, functions: ids.filter((id) => functionIds.has(id)) }).toEqual({ what, functions: [] });
}

describe('every function behind its live alias', () => {
  it('finds every function of the product (each one a ServiceFunction)', () => {
    const ours = ofType('AWS::Lambda::Function').filter(
      ([, r]) =>
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME !== undefined,
    );
    expect(functions.length).toBeGreaterThanOrEqual(13);
    expect(ours.map(([id]) => id).sort()).toEqual(functions.map((f) => f.functionId).sort());
  });

  it('gives each function exactly one alias, named live, on a version published from that function', () => {
    for (const { functionId, aliasId } of functions) {
      const aliases = ofType('AWS::Lambda::Alias').filter(([, r]) =>
        referencedIds(r.Properties.FunctionName).includes(functionId),
      );
      expect(aliases.map(([id]) => id)).toEqual([aliasId]);
      const alias = resources[aliasId];
      expect(alias?.Properties.Name).toBe('live');
      const [versionId] = referencedIds(alias?.Properties.FunctionVersion);
      const version = resources[versionId ?? ''];
      expect(version?.Type).toBe('AWS::Lambda::Version');
      expect(referencedIds(version?.Properties.FunctionName)).toEqual([functionId]);
    }
  });

  it('points every REST Lambda proxy integration and Lambda authorizer at an alias', () => {
    const proxies = ofType('AWS::ApiGateway::Method').filter(
      ([, r]) => (r.Properties.Integration as { Type?: string } | undefined)?.Type === 'AWS_PROXY',
    );
    expect(proxies.length).toBeGreaterThanOrEqual(12);
    for (const [id, method] of proxies) {
      expectAliasTarget(id, (method.Properties.Integration as { Uri: unknown }).Uri);
    }
    const lambdaAuthorizers = ofType('AWS::ApiGateway::Authorizer').filter(
      ([, r]) => r.Properties.Type === 'TOKEN' || r.Properties.Type === 'REQUEST',
    );
    expect(lambdaAuthorizers).toHaveLength(1);
    for (const [id, authorizer] of lambdaAuthorizers)
      expectAliasTarget(id, authorizer.Properties.AuthorizerUri);
  });

  it('points every HTTP and WebSocket Lambda integration and the $connect authorizer at an alias', () => {
    const integrations = ofType('AWS::ApiGatewayV2::Integration').filter(
      ([, r]) => r.Properties.IntegrationType === 'AWS_PROXY',
    );
    expect(integrations.length).toBeGreaterThanOrEqual(4);
    for (const [id, integration] of integrations)
      expectAliasTarget(id, integration.Properties.IntegrationUri);
    const lambdaAuthorizers = ofType('AWS::ApiGatewayV2::Authorizer').filter(
      ([, r]) => r.Properties.AuthorizerType === 'REQUEST',
    );
    expect(lambdaAuthorizers).toHaveLength(1);
    for (const [id, authorizer] of lambdaAuthorizers)
      expectAliasTarget(id, authorizer.Properties.AuthorizerUri);
  });

  it('maps every queue and stream to an alias, and grants every invoke permission on an alias', () => {
    // The table's stream (projector, broadcaster), the jobs queue and the offboarding queue.
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(4);
    for (const [id, mapping] of mappings) expectAliasTarget(id, mapping.Properties.FunctionName);
    const permissions = ofType('AWS::Lambda::Permission');
    expect(permissions.length).toBeGreaterThan(0);
    for (const [id, permission] of permissions) expectAliasTarget(id, permission.Properties.FunctionName);
  });
});

describe('deploying each function through CodeDeploy', () => {
  it.each([
    ['sandbox', sandbox, 'CodeDeployDefault.LambdaAllAtOnce'],
    ['prod', prod, 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
  ])(
    'shifts each %s alias with the stage deployment config, rolling back on failure and on its error-rate and duration alarms',
    (_stage, synth, config) => {
      const groups = Object.entries(synth.resources).filter(
        ([, r]) => r.Type === 'AWS::CodeDeploy::DeploymentGroup',
      );
      expect(groups).toHaveLength(synth.functions.length);
      const applications = Object.keys(synth.resources).filter(
        (id) => synth.resources[id]?.Type === 'AWS::CodeDeploy::Application',
      );
      expect(applications).toHaveLength(1);
      for (const { aliasId, groupId, alarmIds } of synth.functions) {
        const group = synth.resources[groupId]?.Properties;
        const [errorRate, , duration] = alarmIds;
        expect(group).toMatchObject({
          DeploymentConfigName: config,
          ApplicationName: { Ref: applications[0] },
          AlarmConfiguration: {
            Enabled: true,
            Alarms: [{ Name: { Ref: errorRate } }, { Name: { Ref: duration } }],
          },
          AutoRollbackConfiguration: {
            Enabled: true,
            Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'],
          },
        });
        expect(synth.resources[aliasId]?.UpdatePolicy).toEqual({
          CodeDeployLambdaAliasUpdate: {
            ApplicationName: { Ref: applications[0] },
            DeploymentGroupName: { Ref: groupId },
          },
        });
      }
    },
  );

  it('lets CodeDeploy only update aliases and read alarms (its AWS managed Lambda policy), with one shared role', () => {
    const roles = new Set(
      ofType('AWS::CodeDeploy::DeploymentGroup').flatMap(([, r]) =>
        referencedIds(r.Properties.ServiceRoleArn),
      ),
    );
    expect(roles.size).toBe(1);
    const [roleId] = [...roles];
    const role = resources[roleId ?? '']?.Properties;
    expect(JSON.stringify(role?.AssumeRolePolicyDocument)).toContain('codedeploy.amazonaws.com');
    expect(JSON.stringify(role?.ManagedPolicyArns)).toContain(
      'service-role/AWSCodeDeployRoleForLambdaLimited',
    );
  });
});

describe("each function's alarms", () => {
  const onTheAlias = (functionId: string) => [
    { Name: 'FunctionName', Value: { Ref: functionId } },
    { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: functionId }, ':live']] } },
  ];
  const mOfN = {
    Period: 60,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
  };

  it('alarms on more than 2 % of the alias invocations failing (Errors / Invocations), in 2 of 3 minutes', () => {
    for (const { functionId, alarmIds } of functions) {
      const alarm = resources[alarmIds[0] ?? '']?.Properties;
      const { Period, ...rest } = mOfN;
      expect(alarm).toMatchObject({ ...rest, Threshold: 2 });
      const metrics = alarm?.Metrics as Array<Record<string, unknown>>;
      expect(metrics.find((m) => m.ReturnData === true)?.Expression).toBe(
        'IF(invocations > 0, 100 * errors / invocations, 0)',
      );
      for (const [metricId, name] of [
        ['errors', 'Errors'],
        ['invocations', 'Invocations'],
      ]) {
        expect(metrics.find((m) => m.Id === metricId)?.MetricStat).toEqual({
          Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: onTheAlias(functionId) },
          Period,
          Stat: 'Sum',
        });
      }
      // Its one action is the alarm topic, which the monitoring aspect gives every alarm.
      expect(alarm?.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
    }
  });

  it('alarms on any throttled invocation of the alias in 2 of 3 minutes', () => {
    for (const { functionId, alarmIds } of functions) {
      expect(resources[alarmIds[1] ?? '']?.Properties).toMatchObject({
        ...mOfN,
        MetricName: 'Throttles',
        Dimensions: onTheAlias(functionId),
        Statistic: 'Sum',
        Threshold: 0,
      });
    }
  });

  it("alarms on a p99 duration above 80 % of the function's own timeout in 2 of 3 minutes", () => {
    for (const { functionId, alarmIds } of functions) {
      const timeout = resources[functionId]?.Properties.Timeout as number;
      expect(resources[alarmIds[2] ?? '']?.Properties).toMatchObject({
        ...mOfN,
        MetricName: 'Duration',
        Dimensions: onTheAlias(functionId),
        ExtendedStatistic: 'p99',
        Threshold: timeout * 1000 * 0.8,
      });
    }
    const thresholds = new Set(
      functions.map(({ alarmIds }) => resources[alarmIds[2] ?? '']?.Properties.Threshold),
    );
    expect(thresholds.size).toBeGreaterThan(1);
  });
});
