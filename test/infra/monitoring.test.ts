import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DASHBOARD_SECTIONS, LIVE_UPDATE_METRICS } from '../../infra/monitoring/dashboard';
import { TABLE_OPERATIONS } from '../../infra/monitoring/operations-monitoring';
import { ServiceFunction } from '../../infra/service-function';
import type { StatelessStack } from '../../infra/stateless-stack';
import { appTemplates, buildApp } from './app';

type Resource = { Type: string; Properties: Record<string, unknown> };
type MetricStat = {
  Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> };
  Stat: string;
  Period: number;
};
type Policy = { Statement: Array<Record<string, unknown>> };
type MetricDataQuery = { Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean };

/** The stateless stack's template of a stage, with `extend` run on the stack after every capability. */
function buildWith(stage: string, extend: (stack: StatelessStack) => void) {
  return buildApp(stage, {}, extend).statelessTemplate;
}

// The sandbox gets an alarm from "elsewhere" (as a canary or a function helper would create it), after the
// monitoring construct and outside it; prod is the stage as configured, with an alarm e-mail.
const sandbox = buildWith('sandbox', (stack) => {
  new cloudwatch.Alarm(stack, 'AlarmCreatedElsewhere', {
    metric: new cloudwatch.Metric({
      namespace: 'Elsewhere',
      metricName: 'Failures',
      period: Duration.minutes(1),
    }),
    threshold: 1,
    evaluationPeriods: 1,
  });
});
const prod = appTemplates('prod', { alarmEmail: 'ops@example.com' }).statelessTemplate;

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

const topicRef = (template: Template) => {
  const topics = resourcesOf(template, 'AWS::SNS::Topic');
  expect(topics).toHaveLength(1);
  return { Ref: topics[0]?.[0] };
};

/** What an alarm watches and when it fires, in one line per field, keyed by the alarm's construct id. */
function monitoringAlarms(template: Template) {
  const summaries: Record<string, Record<string, unknown>> = {};
  for (const [logicalId, { Properties: p }] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
    const match = /^Monitoring(\w+?)[0-9A-F]{8}$/.exec(logicalId);
    if (!match?.[1]) continue;
    const queries = (p.Metrics ?? []) as MetricDataQuery[];
    const stats = queries.flatMap((q) => (q.MetricStat ? [q.MetricStat] : []));
    const metrics =
      queries.length > 0
        ? [
            ...new Set(
              stats.map((s) => `${s.Metric.Namespace} ${s.Metric.MetricName} ${s.Stat} ${s.Period}s`),
            ),
          ]
        : [`${p.Namespace} ${p.MetricName} ${p.ExtendedStatistic ?? p.Statistic} ${p.Period}s`];
    summaries[match[1]] = {
      metrics,
      expression: queries.find((q) => q.Expression !== undefined)?.Expression,
      threshold: `${p.ComparisonOperator} ${p.Threshold}`,
      datapoints: `${p.DatapointsToAlarm} of ${p.EvaluationPeriods}`,
      missing: p.TreatMissingData,
    };
  }
  return summaries;
}

const gw = (name: string, stat: string, period = 60) => `AWS/ApiGateway ${name} ${stat} ${period}s`;
const rate = 'IF(requests >= 10, 100 * errors / requests, 0)';
const opsSum = TABLE_OPERATIONS.map((_, i) => `FILL(op${i}, 0)`).join(' + ');
const over = (n: number) => `GreaterThanThreshold ${n}`;
const EXPECTED_ALARMS = {
  RESTApi5xxRate: [[gw('5XXError', 'Sum'), gw('Count', 'Sum')], rate, over(1), '3 of 5'],
  RESTApi4xxRate: [[gw('4XXError', 'Sum', 300), gw('Count', 'Sum', 300)], rate, over(10), '3 of 3'],
  RESTApiLatencyP99: [[gw('Latency', 'p99')], undefined, over(3000), '3 of 5'],
  RESTApiIntegrationLatencyP99: [[gw('IntegrationLatency', 'p99')], undefined, over(2500), '3 of 5'],
  HTTPApi5xxRate: [[gw('5xx', 'Sum'), gw('Count', 'Sum')], rate, over(1), '3 of 5'],
  HTTPApi4xxRate: [[gw('4xx', 'Sum', 300), gw('Count', 'Sum', 300)], rate, over(10), '3 of 3'],
  HTTPApiLatencyP99: [[gw('Latency', 'p99')], undefined, over(1000), '3 of 5'],
  HTTPApiIntegrationLatencyP99: [[gw('IntegrationLatency', 'p99')], undefined, over(800), '3 of 5'],
  WebSocketIntegrationErrorRate: [
    [gw('IntegrationError', 'Sum'), gw('ConnectCount', 'Sum'), gw('MessageCount', 'Sum')],
    'IF(requests >= 10, 100 * errors / requests, 0)',
    over(5),
    '3 of 5',
  ],
  JobsDeadLetters: [['AWS/SQS ApproximateNumberOfMessagesVisible Maximum 60s'], undefined, over(0), '1 of 1'],
  JobsOldestMessageAge: [
    ['AWS/SQS ApproximateAgeOfOldestMessage Maximum 60s'],
    undefined,
    over(900),
    '3 of 5',
  ],
  BroadcastFailuresVisible: [
    ['AWS/SQS ApproximateNumberOfMessagesVisible Maximum 60s'],
    undefined,
    over(0),
    '1 of 1',
  ],
  ProjectorFailuresVisible: [
    ['AWS/SQS ApproximateNumberOfMessagesVisible Maximum 60s'],
    undefined,
    over(0),
    '1 of 1',
  ],
  LiveBroadcasterIteratorAge: [['AWS/Lambda IteratorAge Maximum 60s'], undefined, over(60000), '3 of 5'],
  EventsProjectorIteratorAge: [['AWS/Lambda IteratorAge Maximum 60s'], undefined, over(60000), '3 of 5'],
  TableThrottledRequests: [['AWS/DynamoDB ThrottledRequests Sum 60s'], opsSum, over(0), '3 of 5'],
  TableSystemErrors: [['AWS/DynamoDB SystemErrors Sum 60s'], opsSum, over(0), '2 of 3'],
  IdempotencyTableThrottledRequests: [['AWS/DynamoDB ThrottledRequests Sum 60s'], opsSum, over(0), '3 of 5'],
  IdempotencyTableSystemErrors: [['AWS/DynamoDB SystemErrors Sum 60s'], opsSum, over(0), '2 of 3'],
} as const;

describe.each([
  ['sandbox', sandbox],
  ['prod', prod],
])('operations monitoring (%s)', (_stage, template) => {
  it('alarms on rates (metric math), latencies, queues, streams and tables, each with M-of-N datapoints', () => {
    const expected = Object.fromEntries(
      Object.entries(EXPECTED_ALARMS).map(([id, [metrics, expression, threshold, datapoints]]) => [
        id,
        { metrics: [...metrics], expression, threshold, datapoints, missing: 'notBreaching' },
      ]),
    );
    expect(monitoringAlarms(template)).toEqual(expected);
  });

  it('sums DynamoDB metrics over one metric per operation, since alarms cannot evaluate SEARCH', () => {
    const [, alarm] = resourcesOf(template, 'AWS::CloudWatch::Alarm').find(([id]) =>
      id.startsWith('MonitoringTableSystemErrors'),
    ) ?? [undefined, undefined];
    const queries = (alarm?.Properties.Metrics ?? []) as MetricDataQuery[];
    const operations = queries.flatMap(
      (q) => q.MetricStat?.Metric.Dimensions?.filter((d) => d.Name === 'Operation').map((d) => d.Value) ?? [],
    );
    expect(operations).toEqual([...TABLE_OPERATIONS]);
    expect(queries.length).toBeLessThanOrEqual(11);
  });

  it('makes every alarm of the stack notify the one topic on alarm and on recovery', () => {
    const topic = topicRef(template);
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(Object.keys(EXPECTED_ALARMS).length);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
    }
  });

  it('encrypts the topic with a rotated customer key that CloudWatch may use, and accepts TLS only', () => {
    const [[keyId, key] = []] = resourcesOf(template, 'AWS::KMS::Key');
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    const [, topic] = resourcesOf(template, 'AWS::SNS::Topic')[0] ?? [];
    expect(topic?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const keyStatements = (key?.Properties.KeyPolicy as Policy | undefined)?.Statement;
    expect(keyStatements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const [, policy] = resourcesOf(template, 'AWS::SNS::TopicPolicy')[0] ?? [];
    const statements = (policy?.Properties.PolicyDocument as Policy | undefined)?.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
      }),
    );
  });

  it('has one dashboard with the API, async-pipeline and live-update sections and every function', () => {
    const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = dashboardBody(dashboards[0]?.[1].Properties.DashboardBody);
    const sections = sectionsOf(body);
    expect(Object.keys(sections)).toEqual(Object.values(DASHBOARD_SECTIONS));

    const titles = (section: string) => sections[section]?.map((w) => w.properties.title) ?? [];
    expect(titles(DASHBOARD_SECTIONS.apis)).toEqual(
      expect.arrayContaining([
        'REST: requests',
        'REST: error rates (%)',
        'REST: latency (ms)',
        'HTTP: requests',
        'HTTP: error rates (%)',
        'HTTP: latency (ms)',
        'WebSocket: connects and messages',
        'WebSocket: errors',
      ]),
    );
    expect(titles(DASHBOARD_SECTIONS.async)).toEqual([
      'Jobs queue: depth',
      'Jobs queue: age of oldest message (s)',
      'Jobs dead-letter queue: messages',
      'Job worker: invocations and errors',
    ]);
    expect(titles(DASHBOARD_SECTIONS.live)).toEqual([
      'Stream iterator age (ms)',
      'Broadcaster: posts and 410s',
      'Broadcaster: invocations and errors',
      'Broadcast failures queue: messages',
    ]);
    const live = JSON.stringify(sections[DASHBOARD_SECTIONS.live]);
    // Whatever dimensions the broadcaster's metrics carry: a search term, not a metric schema.
    expect(live).toContain(
      `SEARCH('Namespace=\\"${LIVE_UPDATE_METRICS.namespace}\\" MetricName=\\"${LIVE_UPDATE_METRICS.gone}\\"'`,
    );
    expect(live).toContain('IteratorAge');

    const serviceFunctions = resourcesOf(template, 'AWS::Lambda::Function').filter(
      ([, fn]) =>
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME !== undefined,
    );
    expect(serviceFunctions.length).toBeGreaterThanOrEqual(13);
    expect(sections[DASHBOARD_SECTIONS.functions]).toHaveLength(serviceFunctions.length);
  });
});

describe('alarm notifications', () => {
  it('reach an alarm created outside the monitoring construct, after it', () => {
    const [, elsewhere] =
      resourcesOf(sandbox, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('AlarmCreatedElsewhere')) ??
      [];
    expect(elsewhere?.Properties.AlarmActions).toEqual([topicRef(sandbox)]);
    expect(elsewhere?.Properties.OKActions).toEqual([topicRef(sandbox)]);
  });

  it('e-mails the configured address, and subscribes nobody when none is configured', () => {
    expect(resourcesOf(sandbox, 'AWS::SNS::Subscription')).toEqual([]);
    const subscriptions = resourcesOf(prod, 'AWS::SNS::Subscription');
    expect(subscriptions.map(([, s]) => s.Properties)).toEqual([
      { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topicRef(prod) },
    ]);
  });

  it('fails synth when a function is added after the monitoring, which could not show it', () => {
    expect(() =>
      buildWith('sandbox', (stack) => {
        new ServiceFunction(stack, 'Late', { service: 'orders', environment: {}, description: 'late' });
      }),
    ).toThrow(
      /Stateless\/Late was created after the operations monitoring.*create OperationsMonitoring last/,
    );
  });
});

type Widget = { type: string; properties: { title?: string; markdown?: string } };

/** The dashboard body as JSON, with every CloudFormation token inside it replaced by a placeholder. */
function dashboardBody(body: unknown): { widgets: Widget[] } {
  const join = (body as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const text = join
    ? join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')
    : String(body);
  return JSON.parse(text) as { widgets: Widget[] };
}

/** Widgets grouped under the `## heading` text widget that precedes them (the alarm strip comes before any). */
function sectionsOf(body: { widgets: Widget[] }): Record<string, Widget[]> {
  const sections: Record<string, Widget[]> = {};
  let current: string | undefined;
  for (const widget of body.widgets) {
    const heading =
      widget.type === 'text' ? /^## (.+)$/.exec(widget.properties.markdown ?? '')?.[1] : undefined;
    if (heading !== undefined) {
      current = heading;
      sections[heading] = [];
    } else if (current !== undefined) {
      sections[current]?.push(widget);
    }
  }
  return sections;
}
