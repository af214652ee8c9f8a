import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { StageOverrides } from '../../infra/config';
import { STAGE_OWNED_TYPES } from '../../infra/stage-removal-policy';
import { buildApp } from './app';

type Resources = Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

const EVERYTHING_ON: StageOverrides = {
  waf: 'true',
  stageCache: 'true',
  syntheticsCanary: 'true',
  alarmEmail: 'ops@example.com',
  restCanaryPercent: '10',
  domainName: 'example.com',
  hostedZoneId: 'Z0123456789ABC',
};

/** Every shape of the app a team can synthesize: both stages, bare and with every optional feature on. */
const VARIANTS: ReadonlyArray<[string, string, StageOverrides]> = [
  ['sandbox (defaults)', 'sandbox', {}],
  ['sandbox with every feature on', 'sandbox', EVERYTHING_ON],
  ['prod (defaults)', 'prod', {}],
  ['prod with a domain, alarm e-mail and a stage canary', 'prod', EVERYTHING_ON],
];
const built = new Map(VARIANTS.map(([name, stage, overrides]) => [name, buildApp(stage, overrides)]));
const templatesOf = (name: string): Template[] => {
  const app = built.get(name);
  if (!app) throw new Error(`no variant ${name}`);
  return [app.statefulTemplate, app.statelessTemplate];
};
const resourcesOf = (template: Template) => Object.entries(template.toJSON().Resources as Resources);

/**
 * Resources with a Retain policy in a sandbox, none of which outlives `npm run destroy` or bills: the account-wide
 * role API Gateway logs with (shared by every REST API of the account and region, so deleting it would break the
 * others' logging) and the account setting that points at it, both free; and the REST deployments a stage canary
 * keeps while it runs (infra/rest-stage-canary.ts), which are parts of their REST API and go when the stack
 * deletes it.
 */
const KEPT_ON_PURPOSE = ['AWS::IAM::Role', 'AWS::ApiGateway::Account', 'AWS::ApiGateway::Deployment'];

describe.each(VARIANTS.map(([name]) => name))('%s', (name) => {
  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('has no unacknowledged %s finding in either stack', (_pack, pack) => {
    const app = built.get(name);
    for (const stack of [app?.stateful, app?.stateless]) {
      if (!stack) throw new Error('stack missing');
      const report = pack().validateScope(stack);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} ${(r as { constructPath?: string }).constructPath}`),
      );
      expect(findings).toEqual([]);
    }
  });
});

describe('teardown', () => {
  it.each(['sandbox (defaults)', 'sandbox with every feature on'])(
    '%s: every resource is deleted with its stack, except the free account-wide logging role',
    (name) => {
      const kept = templatesOf(name)
        .flatMap(resourcesOf)
        .filter(([, r]) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
        .map(([id, r]) => `${r.Type} ${id} ${r.DeletionPolicy}`);
      expect(kept.filter((k) => !KEPT_ON_PURPOSE.some((type) => k.startsWith(`${type} `)))).toEqual([]);
      const tables = templatesOf(name)
        .flatMap(resourcesOf)
        .filter(([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable' || r.Type === 'AWS::Cognito::UserPool');
      for (const [, r] of tables) {
        expect(r).not.toMatchObject({ Properties: { DeletionProtectionEnabled: true } });
        expect(r).not.toMatchObject({ Properties: { DeletionProtection: 'ACTIVE' } });
      }
    },
  );

  it.each(['prod (defaults)', 'prod with a domain, alarm e-mail and a stage canary'])(
    '%s: keeps every data-holding resource when its stack is deleted, and protects the table and user pool',
    (name) => {
      const owned = templatesOf(name)
        .flatMap(resourcesOf)
        .filter(([, r]) => STAGE_OWNED_TYPES.includes(r.Type));
      expect(owned.length).toBeGreaterThan(0);
      for (const [id, r] of owned) {
        expect({ id, DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy }).toEqual({
          id,
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
      }
      // The alarm topic's key encrypts notifications in flight only: it goes with the stack even in prod.
      const keys = templatesOf(name)
        .flatMap(resourcesOf)
        .filter(([, r]) => r.Type === 'AWS::KMS::Key');
      expect(keys.map(([, r]) => r.DeletionPolicy)).toEqual(['Delete']);
      const [stateful] = templatesOf(name);
      stateful?.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'ACTIVE' });
      const table = resourcesOf(stateful as Template).find(
        ([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable',
      )?.[1] as unknown as { Properties: { Replicas: Array<{ DeletionProtectionEnabled?: boolean }> } };
      expect(table.Properties.Replicas[0]?.DeletionProtectionEnabled).toBe(true);
    },
  );
});
