import { stageConfig } from '../../infra/config';
import { REST_ACCESS_LOG_FIELDS } from '../../infra/rest-access-log';
import { logsInsightsQueries } from '../../infra/tenant-insights';
import { METRICS_NAMESPACE } from '../../shared/metrics';
import { type AppTemplates, appTemplates } from './app';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Resources = Record<string, Resource>;

const STAGES = ['sandbox', 'prod'] as const;
const apps = Object.fromEntries(STAGES.map((stage) => [stage, appTemplates(stage)])) as Record<
  (typeof STAGES)[number],
  AppTemplates
>;

function resourcesOf(stage: (typeof STAGES)[number], which: 'stateless' | 'stateful' = 'stateless') {
  const template = which === 'stateless' ? apps[stage].statelessTemplate : apps[stage].statefulTemplate;
  return template.toJSON().Resources as Resources;
}

function ofType(resources: Resources, type: string): Array<[string, Resource]> {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function single(resources: Resources, type: string, predicate: (r: Resource) => boolean = () => true) {
  const found = ofType(resources, type).filter(([, r]) => predicate(r));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, Resource];
}

/** A string property as CloudFormation will render it, with each `Ref`/`GetAtt` written `<LogicalId>`. */
function rendered(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(rendered).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return `<${ref}>`;
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `<${getAtt[0]}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** An access-log format with every `$context` variable replaced by a sample value, as API Gateway fills it in. */
function sampleLine(format: string): Record<string, unknown> {
  return JSON.parse(format.replace(/\$context\.[A-Za-z.]+/g, '200')) as Record<string, unknown>;
}

const restStage = (stage: (typeof STAGES)[number]) => single(resourcesOf(stage), 'AWS::ApiGateway::Stage');
const v2Stage = (stage: (typeof STAGES)[number], protocol: 'HTTP' | 'WEBSOCKET') => {
  const resources = resourcesOf(stage);
  const [apiId] = single(resources, 'AWS::ApiGatewayV2::Api', (r) => r.Properties.ProtocolType === protocol);
  return single(
    resources,
    'AWS::ApiGatewayV2::Stage',
    (r) => (r.Properties.ApiId as { Ref?: string }).Ref === apiId,
  );
};

describe.each(STAGES)('observability in the %s stage', (stage) => {
  const config = stageConfig(stage);
  const resources = resourcesOf(stage);

  describe('access logs', () => {
    it('writes one JSON object per REST request with the tenant from the authorizer, route, status and latencies', () => {
      const settings = restStage(stage)[1].Properties.AccessLogSetting as {
        Format: string;
        DestinationArn: unknown;
      };
      const format = settings.Format;
      for (const [field, variable] of Object.entries({
        requestId: '$context.requestId',
        tenantId: '$context.authorizer.tenantId',
        userId: '$context.authorizer.userId',
        route: '$context.httpMethod $context.resourcePath',
        integrationLatency: '$context.integrationLatency',
      })) {
        expect(format).toContain(`"${field}":"${variable}"`);
      }
      const line = sampleLine(format);
      // Numbers, so the insight rules' GreaterThan/LessThan and the queries' pct() work on them.
      expect(line.status).toBe(200);
      expect(line.responseLatency).toBe(200);
      expect(Object.keys(line).sort()).toEqual(Object.keys(REST_ACCESS_LOG_FIELDS).sort());
      expect(rendered(settings.DestinationArn)).toMatch(/^<RestAccessLogs/);
    });

    it('writes JSON access logs for the HTTP API and the WebSocket API, each to its own log group', () => {
      const http = v2Stage(stage, 'HTTP')[1].Properties.AccessLogSettings as {
        Format: string;
        DestinationArn: unknown;
      };
      const ws = v2Stage(stage, 'WEBSOCKET')[1].Properties.AccessLogSettings as {
        Format: string;
        DestinationArn: unknown;
      };
      expect(sampleLine(http.Format)).toEqual(
        expect.objectContaining({
          requestId: '200',
          routeKey: '200',
          status: '200',
          integrationLatency: '200',
        }),
      );
      expect(JSON.parse(ws.Format)).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        tenantId: '$context.authorizer.tenantId',
        userId: '$context.authorizer.userId',
        integrationLatency: '$context.integrationLatency',
      });
      const destinations = [http, ws, restStage(stage)[1].Properties.AccessLogSetting as typeof http].map(
        (s) => rendered(s.DestinationArn),
      );
      expect(new Set(destinations).size).toBe(3);
    });
  });

  describe('execution logging', () => {
    it(`logs the REST stage's execution at ${config.executionLogLevel} on every method, never bodies`, () => {
      const settings = restStage(stage)[1].Properties.MethodSettings as Array<Record<string, unknown>>;
      expect(settings.find((s) => s.ResourcePath === '/*' && s.HttpMethod === '*')).toMatchObject({
        LoggingLevel: config.executionLogLevel,
        DataTraceEnabled: false,
      });
      // A per-method override without a level would switch execution logging off for that method.
      expect(settings.length).toBeGreaterThan(1);
      for (const setting of settings) {
        expect(setting).toMatchObject({ LoggingLevel: config.executionLogLevel, DataTraceEnabled: false });
      }
    });

    it(`logs the WebSocket stage's routes at ${config.executionLogLevel}, never bodies, after the account's logging role exists`, () => {
      const [, wsStage] = v2Stage(stage, 'WEBSOCKET');
      expect(wsStage.Properties.DefaultRouteSettings).toMatchObject({
        LoggingLevel: config.executionLogLevel,
        DataTraceEnabled: false,
      });
      const [accountId] = single(resources, 'AWS::ApiGateway::Account');
      expect(wsStage.DependsOn).toContain(accountId);
    });

    it('owns the execution log groups API Gateway writes to, so they get a retention, before the stages log', () => {
      const [restStageId, rest] = restStage(stage);
      const [restApiId] = single(resources, 'AWS::ApiGateway::RestApi');
      const [wsStageId, ws] = v2Stage(stage, 'WEBSOCKET');
      const wsApiId = (ws.Properties.ApiId as { Ref: string }).Ref;
      const named = (name: string) =>
        single(resources, 'AWS::Logs::LogGroup', (r) =>
          r.Properties.LogGroupName === undefined ? false : rendered(r.Properties.LogGroupName) === name,
        );
      const [restGroup] = named(`API-Gateway-Execution-Logs_<${restApiId}>/${rest.Properties.StageName}`);
      const [wsGroup] = named(`/aws/apigateway/<${wsApiId}>/${ws.Properties.StageName}`);
      expect(resources[restStageId]?.DependsOn).toContain(restGroup);
      expect(resources[wsStageId]?.DependsOn).toContain(wsGroup);
    });
  });

  describe('traces and Powertools', () => {
    const productFunctions = ofType(resources, 'AWS::Lambda::Function').filter(
      ([, r]) =>
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME !== undefined,
    );

    it('traces the REST stage and every function with X-Ray', () => {
      expect(restStage(stage)[1].Properties.TracingEnabled).toBe(true);
      expect(productFunctions).toHaveLength(18);
      for (const [, fn] of productFunctions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    });

    it('gives every function the metrics namespace, its service name (the dimension every metric carries)', () => {
      for (const [, fn] of productFunctions) {
        expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject(
          {
            POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
            POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^[a-z-]+$/),
          },
        );
      }
    });
  });

  describe('log retention', () => {
    it(`keeps every log group of both stacks for the stage's ${config.logRetention} days`, () => {
      const groups = [
        ...ofType(resources, 'AWS::Logs::LogGroup'),
        ...ofType(resourcesOf(stage, 'stateful'), 'AWS::Logs::LogGroup'),
      ];
      expect(groups.length).toBeGreaterThan(15);
      expect(groups.filter(([, g]) => g.Properties.RetentionInDays !== config.logRetention)).toEqual([]);
    });

    it('gives every function, the CDK-provided ones included, a log group of the stack (none is left to Lambda)', () => {
      // The stage cache's and the canary's custom resources bring CDK's own functions (SDK call, bucket auto-delete).
      const withCdkFunctions = appTemplates(stage, {
        stageCache: 'true',
        syntheticsCanary: 'true',
      }).statelessTemplate;
      const all = withCdkFunctions.toJSON().Resources as Resources;
      const groupIds = new Set(ofType(all, 'AWS::Logs::LogGroup').map(([id]) => id));
      const functions = ofType(all, 'AWS::Lambda::Function');
      const cdkFunctions = functions.filter(
        ([, fn]) =>
          (fn.Properties.Environment as { Variables?: object } | undefined)?.Variables === undefined,
      );
      // The auto-delete provider exists only where the bucket is destroyed with the stack (a sandbox).
      expect(cdkFunctions.length).toBe(stage === 'sandbox' ? 2 : 1);
      const withoutOwnGroup = functions
        .filter(([, fn]) => {
          const group = (fn.Properties.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
          return group === undefined || !groupIds.has(rendered(group).replace(/^<|>$/g, ''));
        })
        .map(([id]) => id);
      expect(withoutOwnGroup).toEqual([]);
    });
  });

  describe('per-tenant views', () => {
    const restAccessLogs = rendered(
      (restStage(stage)[1].Properties.AccessLogSetting as { DestinationArn: unknown }).DestinationArn,
    );

    const rules = Object.fromEntries(
      ofType(resources, 'AWS::CloudWatch::InsightRule').map(([, r]) => [
        r.Properties.RuleName as string,
        { state: r.Properties.RuleState, body: JSON.parse(rendered(r.Properties.RuleBody)) },
      ]),
    ) as Record<
      string,
      { state: unknown; body: Record<string, unknown> & { Contribution: Record<string, unknown> } }
    >;

    it('ranks tenants with Contributor Insights over the REST access logs: by requests, 4XX, 5XX and latency', () => {
      expect(Object.keys(rules).sort()).toEqual(
        ['tenants-by-4xx', 'tenants-by-5xx', 'tenants-by-latency', 'tenants-by-requests'].map(
          (name) => `saas-orders-${stage}-${name}`,
        ),
      );
      const notAttributed = { Match: '$.tenantId', NotIn: ['-'] };
      for (const { state, body } of Object.values(rules)) {
        expect(state).toBe('ENABLED');
        expect(body).toMatchObject({ Schema: { Name: 'CloudWatchLogRule', Version: 1 }, LogFormat: 'JSON' });
        expect(body.LogGroupNames).toEqual([restAccessLogs]);
        expect(body.Contribution.Keys).toEqual(['$.tenantId']);
        expect(body.Contribution.Filters).toContainEqual(notAttributed);
      }
      const rule = (name: string) => rules[`saas-orders-${stage}-${name}`]?.body;
      expect(rule('tenants-by-requests')).toMatchObject({ AggregateOn: 'Count' });
      expect(rule('tenants-by-4xx')?.Contribution.Filters).toEqual([
        notAttributed,
        { Match: '$.status', GreaterThan: 399 },
        { Match: '$.status', LessThan: 500 },
      ]);
      expect(rule('tenants-by-5xx')?.Contribution.Filters).toEqual([
        notAttributed,
        { Match: '$.status', GreaterThan: 499 },
      ]);
      expect(rule('tenants-by-latency')).toMatchObject({
        AggregateOn: 'Sum',
        Contribution: { ValueOf: '$.responseLatency' },
      });
    });

    it('compares and sums only numeric fields of the access-log line', () => {
      const numeric = Object.entries(REST_ACCESS_LOG_FIELDS)
        .filter(([, f]) => 'numeric' in f && f.numeric)
        .map(([name]) => `$.${name}`);
      for (const { body } of Object.values(rules)) {
        const filters = body.Contribution.Filters as Array<Record<string, unknown>>;
        for (const filter of filters.filter((f) => 'GreaterThan' in f || 'LessThan' in f)) {
          expect(numeric).toContain(filter.Match);
        }
        if (body.Contribution.ValueOf !== undefined) expect(numeric).toContain(body.Contribution.ValueOf);
      }
    });

    it('saves the repository’s Logs Insights queries, each exactly as its ops/logs-insights file says', () => {
      const files = logsInsightsQueries();
      expect(Object.keys(files).sort()).toEqual([
        'error-rate-by-tenant',
        'p99-latency-by-tenant',
        'tenant-recent-errors',
        'top-tenants-by-requests',
      ]);
      const saved = Object.fromEntries(
        ofType(resources, 'AWS::Logs::QueryDefinition').map(([, q]) => [
          q.Properties.Name as string,
          {
            query: q.Properties.QueryString,
            groups: (q.Properties.LogGroupNames as unknown[]).map(rendered),
          },
        ]),
      );
      expect(Object.keys(saved).sort()).toEqual(
        Object.keys(files)
          .map((name) => `saas-orders/${stage}/${name}`)
          .sort(),
      );
      for (const [name, query] of Object.entries(files)) {
        expect(saved[`saas-orders/${stage}/${name}`]?.query).toBe(query);
      }
      for (const name of ['error-rate-by-tenant', 'p99-latency-by-tenant', 'top-tenants-by-requests']) {
        expect(saved[`saas-orders/${stage}/${name}`]?.groups).toEqual([restAccessLogs]);
      }
      // A tenant's errors: the gateway's statuses and every handler's ERROR lines.
      const functionGroups = ofType(resources, 'AWS::Lambda::Function')
        .filter(
          ([, r]) =>
            (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
              ?.POWERTOOLS_SERVICE_NAME,
        )
        .map(([, r]) => rendered((r.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup));
      expect(saved[`saas-orders/${stage}/tenant-recent-errors`]?.groups.sort()).toEqual(
        [restAccessLogs, ...functionGroups].sort(),
      );
    });
  });
});
