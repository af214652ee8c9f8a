import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runWorkshop } from '../../bin/workshop';
import { type Resources, type StageTemplates, WORKSHOP_CHECKS } from '../../bin/workshop/checks';
import { appTemplates } from './app';

/*
 * The workshop's checks (`npm run workshop -- check N`): each fails on the app as it ships, naming what the module asks
 * for, and passes once the template carries the change — here made on a copy of the synthesized templates the way the
 * module's change makes it in CDK.
 */

type MutableResources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function shipped(): { stateful: MutableResources; stateless: MutableResources } {
  const { statefulTemplate, statelessTemplate } = appTemplates('sandbox');
  return structuredClone({
    stateful: statefulTemplate.toJSON().Resources as MutableResources,
    stateless: statelessTemplate.toJSON().Resources as MutableResources,
  });
}

const merged = (stacks: { stateful: MutableResources; stateless: MutableResources }): StageTemplates => ({
  resources: { ...stacks.stateful, ...stacks.stateless } as Resources,
});

const each = (resources: MutableResources, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** What each module's change does to the templates. */
const CHANGES: Record<number, (resources: MutableResources) => void> = {
  1: (resources) => {
    for (const [, stage] of each(resources, 'AWS::ApiGatewayV2::Stage'))
      if (stage.Properties.StageName === '$default')
        stage.Properties.DefaultRouteSettings = { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25 };
  },
  2: (resources) => {
    for (const [, authorizer] of each(resources, 'AWS::ApiGateway::Authorizer'))
      if (authorizer.Properties.Type === 'TOKEN') authorizer.Properties.AuthorizerResultTtlInSeconds = 60;
  },
  3: (resources) => {
    for (const [, stage] of each(resources, 'AWS::ApiGateway::Stage'))
      for (const setting of (stage.Properties.MethodSettings ?? []) as Array<Record<string, unknown>>)
        if (setting.ResourcePath === '/~1catalog' && setting.HttpMethod === 'GET')
          setting.CacheTtlInSeconds = 60;
  },
  4: (resources) => {
    for (const [, plan] of each(resources, 'AWS::ApiGateway::UsagePlan'))
      if (String(plan.Properties.UsagePlanName).endsWith('-basic'))
        plan.Properties.Quota = { Limit: 20000, Period: 'MONTH' };
  },
  5: (resources) => {
    for (const [id, queue] of each(resources, 'AWS::SQS::Queue'))
      if (id.startsWith('JobsQueue'))
        queue.Properties.RedrivePolicy = {
          ...(queue.Properties.RedrivePolicy as object),
          maxReceiveCount: 3,
        };
  },
  6: (resources) => {
    for (const [id, mapping] of each(resources, 'AWS::Lambda::EventSourceMapping'))
      if (id.startsWith('LiveBroadcaster')) mapping.Properties.MaximumBatchingWindowInSeconds = 1;
  },
  7: (resources) => {
    for (const [, method] of each(resources, 'AWS::ApiGateway::Method')) {
      const integration = method.Properties.Integration as {
        Type?: string;
        RequestTemplates?: Record<string, string>;
      };
      if (
        method.Properties.HttpMethod !== 'POST' ||
        integration?.Type !== 'AWS' ||
        !integration.RequestTemplates
      )
        continue;
      integration.RequestTemplates['application/json'] =
        `${JSON.stringify(integration.RequestTemplates['application/json'])}
        "carrierReference": {"S": "$util.escapeJavaScript($input.params('X-Carrier-Reference'))"}`;
    }
  },
  8: (resources) => {
    const rules = each(resources, 'AWS::S3::Bucket').flatMap(([, bucket]) =>
      (
        ((bucket.Properties.LifecycleConfiguration ?? {}) as { Rules?: Array<Record<string, unknown>> })
          .Rules ?? []
      ).filter((rule) => rule.Prefix === 'tenants/'),
    );
    for (const rule of rules) rule.ExpirationInDays = 3;
    if (rules.length === 0)
      resources.WorkshopFiles = {
        Type: 'AWS::S3::Bucket',
        Properties: {
          LifecycleConfiguration: { Rules: [{ Prefix: 'tenants/', ExpirationInDays: 3, Status: 'Enabled' }] },
        },
      };
  },
  9: (resources) => {
    for (const [, group] of each(resources, 'AWS::Logs::LogGroup')) group.Properties.RetentionInDays = 14;
  },
};

describe('the workshop checks', () => {
  it('has one change per module, numbered 1 to 9 in order', () => {
    expect(WORKSHOP_CHECKS.map((check) => check.module)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Object.keys(CHANGES).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.each(WORKSHOP_CHECKS.map((check) => [check.module, check] as const))(
    'module %i fails on the app as it ships, then passes once its change is in the template',
    (_module, check) => {
      const stacks = shipped();
      expect(check.verify(merged(stacks)).length).toBeGreaterThan(0);

      CHANGES[check.module]?.(stacks.stateful);
      CHANGES[check.module]?.(stacks.stateless);

      expect(check.verify(merged(stacks))).toEqual([]);
    },
  );

  it("says what is missing in the resource's own terms: the expected value and the one found", () => {
    const cache = WORKSHOP_CHECKS.find((check) => check.slug === 'caching');
    expect(cache?.verify(merged(shipped()))).toEqual([
      expect.stringMatching(/GET \/catalog CacheTtlInSeconds: expected 60, found 300$/),
    ]);
  });
});

describe('npm run workshop', () => {
  let cdkOut: string;
  beforeAll(() => {
    cdkOut = mkdtempSync(join(tmpdir(), 'workshop-'));
  });
  afterAll(() => rmSync(cdkOut, { recursive: true, force: true }));

  const write = (stacks: { stateful: MutableResources; stateless: MutableResources }) => {
    mkdirSync(cdkOut, { recursive: true });
    writeFileSync(
      join(cdkOut, 'SaasOrders-sandbox-Stateful.template.json'),
      JSON.stringify({ Resources: stacks.stateful }),
    );
    writeFileSync(
      join(cdkOut, 'SaasOrders-sandbox-Stateless.template.json'),
      JSON.stringify({ Resources: stacks.stateless }),
    );
  };
  const run = (argv: string[]) => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const code = runWorkshop(argv, out);
    return { code, text };
  };

  it('exits 1 with what is missing and where to read, then 0 once the change is synthesized', () => {
    const stacks = shipped();
    write(stacks);
    const before = run(['check', '2', '--cdk-out', cdkOut]);
    expect(before.code).toBe(1);
    expect(before.text).toMatch(/✗ \w+ AuthorizerResultTtlInSeconds: expected 60, found 300/);
    expect(before.text).toContain('docs/workshop/02-authorizers.md');

    CHANGES[2]?.(stacks.stateless);
    write(stacks);
    const after = run(['check', '2', '--cdk-out', cdkOut]);
    expect(after).toEqual({ code: 0, text: expect.stringContaining('✓ the change is in the template') });
  });

  it('tells a person to start the local cloud when there is no cloud assembly yet', () => {
    expect(() => run(['check', '1', '--cdk-out', join(cdkOut, 'missing')])).toThrow(
      /start the local cloud with `npm start`/,
    );
  });

  it('refuses a module number that does not exist, naming the range', () => {
    expect(() => run(['check', '12', '--cdk-out', cdkOut])).toThrow(
      "check needs a module number from 1 to 9, not '12'",
    );
  });
});
