/**
 * The workshop's checks (docs/workshop/): each module asks for one change to the app, and its check reads the
 * templates the local cloud serves (the cloud assembly `npm start` synthesizes, again after every saved edit) to see
 * that the change is there and does what the module asked — not that a file was touched. A check answers with what
 * it found wrong, each line naming the resource, what was expected and what is there.
 */

/** A template's resources, as CloudFormation has them. */
export type Resources = Readonly<
  Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>
>;

/** The stacks' templates of one stage, both merged: logical ids do not clash across the two stacks. */
export interface StageTemplates {
  readonly resources: Resources;
}

/** One module's check. */
export interface WorkshopCheck {
  readonly module: number;
  readonly slug: string;
  readonly title: string;
  /** What to change, in one sentence (the module's page says how and why). */
  readonly change: string;
  /** Nothing when the change is in place; otherwise what is missing. */
  verify(templates: StageTemplates): readonly string[];
}

function ofType(templates: StageTemplates, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(templates.resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

/** The one resource of `type` that `where` accepts, or a failure line saying there is none or several. */
function single(
  templates: StageTemplates,
  type: string,
  what: string,
  where: (properties: Record<string, unknown>, logicalId: string) => boolean,
): [string, Record<string, unknown>] | string {
  const found = ofType(templates, type).filter(([id, properties]) => where(properties, id));
  if (found.length === 1 && found[0]) return found[0];
  return `expected one ${type} (${what}), found ${found.length}`;
}

/** A failure line unless `actual` is `expected`. */
function expectValue(where: string, actual: unknown, expected: unknown): string[] {
  return JSON.stringify(actual) === JSON.stringify(expected)
    ? []
    : [`${where}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual) ?? 'nothing'}`];
}

const REST_STAGE = (templates: StageTemplates) =>
  single(templates, 'AWS::ApiGateway::Stage', 'the REST API stage', (properties) =>
    Array.isArray(properties.MethodSettings),
  );

/** The modules in order; `npm run workshop -- check N` runs module N's. */
export const WORKSHOP_CHECKS: readonly WorkshopCheck[] = [
  {
    module: 1,
    slug: 'api-flavours',
    title: 'Three API flavours',
    change: "throttle the public HTTP API's $default stage to a burst of 50 and 25 requests per second",
    verify(templates) {
      const stage = single(
        templates,
        'AWS::ApiGatewayV2::Stage',
        'the HTTP API $default stage',
        (p) => p.StageName === '$default',
      );
      if (typeof stage === 'string') return [stage];
      const settings = (stage[1].DefaultRouteSettings ?? {}) as Record<string, unknown>;
      return [
        ...expectValue(
          `${stage[0]} DefaultRouteSettings.ThrottlingBurstLimit`,
          settings.ThrottlingBurstLimit,
          50,
        ),
        ...expectValue(
          `${stage[0]} DefaultRouteSettings.ThrottlingRateLimit`,
          settings.ThrottlingRateLimit,
          25,
        ),
      ];
    },
  },
  {
    module: 2,
    slug: 'authorizers',
    title: 'Authorizers and tenant isolation',
    change: "keep the REST Lambda (TOKEN) authorizer's decisions 60 seconds instead of 300",
    verify(templates) {
      const authorizer = single(
        templates,
        'AWS::ApiGateway::Authorizer',
        'the TOKEN authorizer',
        (p) => p.Type === 'TOKEN',
      );
      if (typeof authorizer === 'string') return [authorizer];
      return expectValue(
        `${authorizer[0]} AuthorizerResultTtlInSeconds`,
        authorizer[1].AuthorizerResultTtlInSeconds,
        60,
      );
    },
  },
  {
    module: 3,
    slug: 'caching',
    title: 'Caching the catalog',
    change: 'cache GET /catalog in the stage cache for 60 seconds instead of 300',
    verify(templates) {
      const stage = REST_STAGE(templates);
      if (typeof stage === 'string') return [stage];
      const settings = (stage[1].MethodSettings as Array<Record<string, unknown>>).find(
        (setting) => setting.ResourcePath === '/~1catalog' && setting.HttpMethod === 'GET',
      );
      if (settings === undefined) return [`${stage[0]} has no method setting for GET /catalog`];
      return [
        ...expectValue(`${stage[0]} GET /catalog CachingEnabled`, settings.CachingEnabled, true),
        ...expectValue(`${stage[0]} GET /catalog CacheTtlInSeconds`, settings.CacheTtlInSeconds, 60),
      ];
    },
  },
  {
    module: 4,
    slug: 'usage-plans',
    title: 'Usage plans and throttling',
    change: "give the basic plan a quota of 20,000 requests a month (premium's stays)",
    verify(templates) {
      const plan = single(templates, 'AWS::ApiGateway::UsagePlan', 'the basic plan', (p) =>
        String(p.UsagePlanName ?? '').endsWith('-basic'),
      );
      if (typeof plan === 'string') return [plan];
      return expectValue(`${plan[0]} Quota`, plan[1].Quota, { Limit: 20000, Period: 'MONTH' });
    },
  },
  {
    module: 5,
    slug: 'jobs',
    title: 'The 202 job flow',
    change: 'send a job message to the dead-letter queue after 3 receives instead of 5',
    verify(templates) {
      const queue = single(templates, 'AWS::SQS::Queue', 'the jobs queue', (_p, id) =>
        id.startsWith('JobsQueue'),
      );
      if (typeof queue === 'string') return [queue];
      const redrive = (queue[1].RedrivePolicy ?? {}) as Record<string, unknown>;
      return expectValue(`${queue[0]} RedrivePolicy.maxReceiveCount`, redrive.maxReceiveCount, 3);
    },
  },
  {
    module: 6,
    slug: 'websocket',
    title: 'WebSocket fan-out',
    change: "let the broadcaster's stream mapping batch changes for up to 1 second before it pushes them",
    verify(templates) {
      const mapping = single(
        templates,
        'AWS::Lambda::EventSourceMapping',
        "the broadcaster's stream mapping",
        (_p, id) => id.startsWith('LiveBroadcaster'),
      );
      if (typeof mapping === 'string') return [mapping];
      return expectValue(
        `${mapping[0]} MaximumBatchingWindowInSeconds`,
        mapping[1].MaximumBatchingWindowInSeconds,
        1,
      );
    },
  },
  {
    module: 7,
    slug: 'direct-integrations',
    title: 'Direct integrations and VTL',
    change:
      "store the carrier's X-Carrier-Reference header on each event item as carrierReference (no Lambda)",
    verify(templates) {
      const method = single(templates, 'AWS::ApiGateway::Method', 'POST /events', (p) => {
        const integration = (p.Integration ?? {}) as Record<string, unknown>;
        return (
          p.HttpMethod === 'POST' &&
          integration.Type === 'AWS' &&
          JSON.stringify(integration.Uri).includes('dynamodb:action/PutItem')
        );
      });
      if (typeof method === 'string') return [method];
      const integration = method[1].Integration as { RequestTemplates?: Record<string, unknown> };
      const template = JSON.stringify(integration.RequestTemplates?.['application/json'] ?? '');
      const problems: string[] = [];
      if (!/\$input\.params\(\\?["']X-Carrier-Reference\\?["']\)/i.test(template))
        problems.push(`${method[0]}'s request template does not read $input.params('X-Carrier-Reference')`);
      if (!template.includes('carrierReference'))
        problems.push(`${method[0]}'s request template writes no carrierReference attribute`);
      return problems;
    },
  },
  {
    module: 8,
    slug: 'files',
    title: 'Files and pre-signed URLs',
    change: 'expire tenant files (everything under tenants/) after 3 days instead of 7',
    verify(templates) {
      const rules = ofType(templates, 'AWS::S3::Bucket').flatMap(([id, properties]) =>
        (
          ((properties.LifecycleConfiguration ?? {}) as { Rules?: Array<Record<string, unknown>> }).Rules ??
          []
        ).map((rule) => [id, rule] as const),
      );
      const tenantRules = rules.filter(([, rule]) => rule.Prefix === 'tenants/');
      if (tenantRules.length === 0) return ['no bucket has a lifecycle rule for the prefix tenants/'];
      return tenantRules.flatMap(([id, rule]) =>
        expectValue(`${id} tenants/ ExpirationInDays`, rule.ExpirationInDays, 3),
      );
    },
  },
  {
    module: 9,
    slug: 'operations',
    title: 'Operations: logs, alarms, canaries, teardown',
    change: "keep the sandbox's logs for 14 days instead of 7",
    verify(templates) {
      const groups = ofType(templates, 'AWS::Logs::LogGroup');
      if (groups.length === 0) return ['no log group in the templates'];
      return groups.flatMap(([id, properties]) =>
        expectValue(`${id} RetentionInDays`, properties.RetentionInDays, 14),
      );
    },
  },
];
