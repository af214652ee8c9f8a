import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type StageOverrides, stageConfig } from '../../infra/config';
import { StatefulStack } from '../../infra/stateful-stack';
import { StatelessStack } from '../../infra/stateless-stack';
import { runDirectory } from '../support/run-cache';

/** The two templates of the app for a stage and its overrides. */
export interface AppTemplates {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/** Where the templates of a variant are kept in the jest run's directory (test/support/run-cache.ts). */
function templatesFile(stage: string, overrides: StageOverrides): string {
  const variant = JSON.stringify([stage, Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b))]);
  const key = createHash('sha256').update(variant).digest('hex').slice(0, 16);
  return join(runDirectory(), `infra-templates-${key}.json`);
}

/** Keeps a variant's templates for every suite of the run; written whole, then renamed, so no reader sees half. */
function keepTemplates(stage: string, overrides: StageOverrides, templates: AppTemplates): void {
  const file = templatesFile(stage, overrides);
  if (existsSync(file)) return;
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(
    partial,
    JSON.stringify({
      stateful: templates.statefulTemplate.toJSON(),
      stateless: templates.statelessTemplate.toJSON(),
    }),
  );
  renameSync(partial, file);
}

const memo = new Map<string, AppTemplates>();

/**
 * The templates of both stacks for a stage, for suites that assert only templates: the app is built once per jest
 * run for each stage and overrides (by the first suite to ask, in any worker, or by a `buildApp` of the same
 * variant), and every other suite reads the same templates. Two workers asking at the same moment may both build.
 */
export function appTemplates(stage = 'sandbox', overrides: StageOverrides = {}): AppTemplates {
  const file = templatesFile(stage, overrides);
  let templates = memo.get(file);
  if (templates === undefined) {
    if (existsSync(file)) {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as { stateful: object; stateless: object };
      templates = {
        statefulTemplate: Template.fromJSON(kept.stateful),
        statelessTemplate: Template.fromJSON(kept.stateless),
      };
    } else {
      const { statefulTemplate, statelessTemplate } = buildApp(stage, overrides);
      templates = { statefulTemplate, statelessTemplate };
    }
    memo.set(file, templates);
  }
  return templates;
}

/**
 * Both stacks of the app for a stage as constructs, synthesized without bundling (these tests assert templates
 * and constructs, never bundles), for suites that need the constructs (cdk-nag packs, construct queries) or add
 * to the app: `extend` runs on the stateless stack after every capability and before synth. Suites that assert
 * templates only use `appTemplates`, which this feeds.
 */
export function buildApp(
  stage = 'sandbox',
  overrides: StageOverrides = {},
  extend?: (stack: StatelessStack) => void,
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
    userPoolDomain: stateful.userPoolDomain,
    jobsQueue: stateful.jobsQueue,
    consoleHosting: stateful.consoleHosting,
    filesBucket: stateful.files.bucket,
  });
  extend?.(stateless);
  const built = {
    app,
    stateful,
    stateless,
    statefulTemplate: Template.fromStack(stateful),
    statelessTemplate: Template.fromStack(stateless),
  };
  if (extend === undefined) keepTemplates(stage, overrides, built);
  return built;
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
