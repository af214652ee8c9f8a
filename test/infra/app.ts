import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type StageOverrides, stageConfig } from '../../infra/config';
import { StatefulStack } from '../../infra/stateful-stack';
import { StatelessStack } from '../../infra/stateless-stack';

/**
 * Both stacks of the app for a stage, synthesized without bundling (these tests assert the template only).
 * `extend` runs on the stateless stack after every capability and before synth (to add what a test needs there).
 */
export function buildApp(
  stage = 'sandbox',
  overrides: StageOverrides = {},
  extend: (stack: StatelessStack) => void = () => undefined,
) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = stageConfig(stage, overrides);
  const env = { account: '123456789012', region: 'eu-west-1' };
  const stateful = new StatefulStack(app, 'Stateful', { env, config });
  const stateless = new StatelessStack(app, 'Stateless', {
    env,
    config,
    table: stateful.table,
    idempotencyTable: stateful.idempotencyTable,
    userPool: stateful.userPool,
    userPoolClient: stateful.userPoolClient,
    jobsQueue: stateful.jobsQueue,
  });
  extend(stateless);
  return {
    app,
    stateful,
    stateless,
    statefulTemplate: Template.fromStack(stateful),
    statelessTemplate: Template.fromStack(stateless),
  };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Methods of the REST API keyed `"<VERB> /path"`, by walking Resource → ParentId refs in the template. */
export function methodsByRoute(template: Template): Record<string, Record<string, unknown>> {
  const resources = template.toJSON().Resources as Resources;
  const pathOf = (ref: unknown): string => {
    const logicalId = (ref as { Ref?: string }).Ref;
    const resource = logicalId ? resources[logicalId] : undefined;
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart as string}`;
  };
  const routes: Record<string, Record<string, unknown>> = {};
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    const path = pathOf(resource.Properties.ResourceId) || '/';
    routes[`${resource.Properties.HttpMethod as string} ${path}`] = resource.Properties;
  }
  return routes;
}

/** Every IAM policy statement attached to the role of the function of `service` (its services/ folder). */
export function statementsOfFunction(template: Template, service: string): Array<Record<string, unknown>> {
  const resources = template.toJSON().Resources as Resources;
  const fn = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === service,
  );
  const roleId = (fn?.Properties.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
    'Fn::GetAtt'
  ]?.[0];
  if (!roleId) throw new Error(`no function (or no role) for service ${service}`);
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
}
