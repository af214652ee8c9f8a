import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BROADCAST_METRICS, METRICS_NAMESPACE } from '../../shared/metrics';
import type { JobsQueue } from '../jobs-queue';
import type { ServiceFunction } from '../service-function';
import { FIVE_MINUTES, percentOf, type RequestApiSignals, webSocketMetric } from './api-signals';
import type { StreamConsumer } from './operations-monitoring';

/**
 * The broadcaster's own counts of the live-update path, as its handler emits them with Powertools Metrics (EMF):
 * posts delivered to connections and connections found gone (410) and deleted. The dashboard finds them with a
 * SEARCH over the namespace, whatever dimensions they carry.
 */
export const LIVE_UPDATE_METRICS = {
  namespace: METRICS_NAMESPACE,
  ...BROADCAST_METRICS,
} as const;

/** The dashboard's section headings, in order (tests find the sections by them). */
export const DASHBOARD_SECTIONS = {
  apis: 'Golden signals per API',
  async: 'Async pipeline (jobs)',
  live: 'Live-update path',
  data: 'Tables',
  functions: 'Functions',
} as const;

export interface OperationsDashboardProps {
  readonly dashboardName: string;
  readonly requestApis: readonly RequestApiSignals[];
  readonly webSocketStage: apigwv2.WebSocketStage;
  readonly jobsQueue: JobsQueue;
  readonly jobWorker: lambda.IFunction;
  readonly broadcaster: lambda.IFunction;
  readonly broadcastFailures: sqs.IQueue;
  readonly streamConsumers: readonly StreamConsumer[];
  readonly functions: readonly ServiceFunction[];
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /** Shown in an alarm-status strip at the top. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

const PERIOD = Duration.minutes(1);
const sum = { statistic: 'Sum', period: PERIOD };
const max = { statistic: 'Maximum', period: PERIOD };

/**
 * One dashboard for the stage: alarm states; traffic, errors and latency per API; the async jobs pipeline (queue
 * depth, age, dead letters, worker); the live-update path (stream age, posts, 410s, failures); the tables; and
 * every ServiceFunction's invocations, errors, throttles and p99 duration against its timeout.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const d = this.dashboard;
    d.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }),
    );

    d.addWidgets(heading(DASHBOARD_SECTIONS.apis));
    for (const api of props.requestApis) {
      d.addWidgets(
        graph(`${api.name}: requests`, [api.requests(PERIOD)]),
        graph(`${api.name}: error rates (%)`, [
          percentOf(
            api.serverErrors(FIVE_MINUTES),
            api.requests(FIVE_MINUTES),
            '5XX %',
            FIVE_MINUTES,
            'faults',
          ),
          percentOf(
            api.clientErrors(FIVE_MINUTES),
            api.requests(FIVE_MINUTES),
            '4XX % (429 incl.)',
            FIVE_MINUTES,
            'rejects',
          ),
        ]),
        graph(`${api.name}: latency (ms)`, [
          api.latency('p50', PERIOD),
          api.latency('p99', PERIOD),
          api.integrationLatency('p99', PERIOD),
        ]),
      );
    }
    const ws = props.webSocketStage;
    d.addWidgets(
      graph('WebSocket: connects and messages', [
        webSocketMetric(ws, 'ConnectCount', sum),
        webSocketMetric(ws, 'MessageCount', sum),
      ]),
      graph('WebSocket: errors', [
        webSocketMetric(ws, 'IntegrationError', sum),
        webSocketMetric(ws, 'ExecutionError', sum),
        webSocketMetric(ws, 'ClientError', sum),
      ]),
      graph('WebSocket: integration latency (ms)', [
        webSocketMetric(ws, 'IntegrationLatency', { statistic: 'p50', period: PERIOD }),
        webSocketMetric(ws, 'IntegrationLatency', { statistic: 'p99', period: PERIOD }),
      ]),
    );

    d.addWidgets(heading(DASHBOARD_SECTIONS.async));
    const { queue, deadLetterQueue } = props.jobsQueue;
    d.addWidgets(
      graph(
        'Jobs queue: depth',
        [
          queue.metricApproximateNumberOfMessagesVisible(max),
          queue.metricApproximateNumberOfMessagesNotVisible(max),
        ],
        6,
      ),
      graph('Jobs queue: age of oldest message (s)', [queue.metricApproximateAgeOfOldestMessage(max)], 6),
      graph(
        'Jobs dead-letter queue: messages',
        [deadLetterQueue.metricApproximateNumberOfMessagesVisible(max)],
        6,
      ),
      graph(
        'Job worker: invocations and errors',
        [
          props.jobWorker.metricInvocations(sum),
          props.jobWorker.metricErrors(sum),
          props.jobWorker.metricThrottles(sum),
        ],
        6,
      ),
    );

    d.addWidgets(heading(DASHBOARD_SECTIONS.live));
    // No metric schema ({namespace, dims}) in the search: a schema would match only that exact set of dimensions.
    const search = (metricName: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SUM(SEARCH('Namespace="${LIVE_UPDATE_METRICS.namespace}" MetricName="${metricName}"', 'Sum', 60))`,
        label,
        period: PERIOD,
      });
    d.addWidgets(
      graph(
        'Stream iterator age (ms)',
        props.streamConsumers.map((c) => c.function.metric('IteratorAge', { ...max, label: c.name })),
        6,
      ),
      graph(
        'Broadcaster: posts and 410s',
        [
          search(LIVE_UPDATE_METRICS.posted, 'posts delivered'),
          search(LIVE_UPDATE_METRICS.gone, '410 gone (deleted)'),
        ],
        6,
      ),
      graph(
        'Broadcaster: invocations and errors',
        [props.broadcaster.metricInvocations(sum), props.broadcaster.metricErrors(sum)],
        6,
      ),
      graph(
        'Broadcast failures queue: messages',
        [props.broadcastFailures.metricApproximateNumberOfMessagesVisible(max)],
        6,
      ),
    );

    d.addWidgets(heading(DASHBOARD_SECTIONS.data));
    d.addWidgets(
      ...Object.entries(props.tables).map(([name, table]) =>
        graph(
          `${name}: throttled requests and system errors by operation`,
          [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName="ThrottledRequests" TableName="${table.tableName}"', 'Sum', 60)`,
              label: 'throttled',
              period: PERIOD,
            }),
            new cloudwatch.MathExpression({
              expression: `SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName="SystemErrors" TableName="${table.tableName}"', 'Sum', 60)`,
              label: 'system errors',
              period: PERIOD,
            }),
          ],
          12,
        ),
      ),
    );

    d.addWidgets(heading(DASHBOARD_SECTIONS.functions));
    d.addWidgets(...props.functions.map((fn) => functionWidget(fn)));
  }
}

function heading(text: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${text}`, width: 24, height: 1 });
}

function graph(title: string, left: cloudwatch.IMetric[], width = 8): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width, height: 6 });
}

/** Counts on the left; p99 duration on the right with the function's timeout as a line to stay under. */
function functionWidget(serviceFunction: ServiceFunction): cloudwatch.GraphWidget {
  const fn = serviceFunction.function;
  const title = serviceFunction.node.path.split('/').slice(1).join('/');
  const timeout = fn.timeout?.toMilliseconds();
  return new cloudwatch.GraphWidget({
    title,
    width: 8,
    height: 6,
    left: [fn.metricInvocations(sum), fn.metricErrors(sum), fn.metricThrottles(sum)],
    right: [fn.metricDuration({ statistic: 'p99', period: PERIOD })],
    rightAnnotations: timeout === undefined ? [] : [{ value: timeout, label: 'timeout' }],
  });
}
