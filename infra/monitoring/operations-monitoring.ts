import { Aspects, type Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { APP_NAME } from '../../shared/app-name';
import type { JobsQueue } from '../jobs-queue';
import type { LiveUpdates } from '../live-updates';
import type { PublicApi } from '../public-api';
import { ServiceFunction } from '../service-function';
import type { TenantRestApi } from '../tenant-rest-api';
import { AlarmTopic, NotifyOnEveryAlarm } from './alarm-topic';
import {
  FIVE_MINUTES,
  httpApiSignals,
  ONE_MINUTE,
  percentOf,
  type RequestApiSignals,
  restApiSignals,
  webSocketMetric,
} from './api-signals';
import { OperationsDashboard } from './dashboard';

/** The DynamoDB operations this app calls (GetRecords: the stream consumers), each a dimension of the metrics. */
export const TABLE_OPERATIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'GetRecords',
] as const;

/** A stream event source's consumer: the function whose `IteratorAge` says how far behind the stream it is. */
export interface StreamConsumer {
  /** Its construct path below the stack, without separators: `LiveBroadcaster`. */
  readonly name: string;
  readonly function: lambda.IFunction;
}

export interface OperationsMonitoringProps {
  /** Names the dashboard (`saas-orders-<stage>`). */
  readonly stage: string;
  readonly restApi: TenantRestApi;
  readonly publicApi: PublicApi;
  readonly liveUpdates: LiveUpdates;
  /** The jobs queue and its dead-letter queue (from the stateful stack). */
  readonly jobsQueue: JobsQueue;
  /** The function that consumes the jobs queue (shown with the queue on the dashboard). */
  readonly jobWorker: lambda.IFunction;
  /**
   * Queues where every message is a failure (on-failure destinations of stream event sources), by name; any
   * visible message alarms.
   * @default none besides the jobs dead-letter queue
   */
  readonly failureQueues?: Readonly<Record<string, sqs.IQueue>>;
  /** The tables whose throttled requests and system errors alarm, by name. */
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /**
   * Where alarm notifications are e-mailed.
   * @default no e-mail subscription
   */
  readonly alarmEmail?: string;
}

interface AlarmSpec {
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** M of N: `datapointsToAlarm` breaching periods out of the last `evaluationPeriods`. */
  readonly datapointsToAlarm: number;
  readonly evaluationPeriods: number;
}

/**
 * The operations view of the stack: one encrypted SNS topic that every alarm of the stack notifies (an Aspect adds
 * it, to alarms created anywhere), the alarms of the APIs, queues, streams and tables, and one dashboard.
 * Each function's own alarms (errors, throttles, duration) belong to its ServiceFunction; they are notified
 * like every other alarm, and every ServiceFunction of the stack is on the dashboard. Create it last in the
 * stack: it finds the functions and stream consumers in the tree, and synth fails if one is added after it.
 */
export class OperationsMonitoring extends Construct {
  readonly alarmTopic: AlarmTopic;
  /** This construct's alarms by id (not the functions' own). */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly dashboard: OperationsDashboard;
  private readonly created: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: props.alarmEmail });
    Aspects.of(stack).add(new NotifyOnEveryAlarm(this.alarmTopic.topic));
    this.alarms = this.created;

    const rest = restApiSignals(props.restApi.api);
    const http = httpApiSignals(props.publicApi.api);
    this.requestApiAlarms(rest, { latencyMs: 3000, integrationLatencyMs: 2500 });
    this.requestApiAlarms(http, { latencyMs: 1000, integrationLatencyMs: 800 });

    const wsStage = props.liveUpdates.stage;
    const wsRequests = new cloudwatch.MathExpression({
      expression: 'connects + messages',
      usingMetrics: {
        connects: webSocketMetric(wsStage, 'ConnectCount', { statistic: 'Sum', period: ONE_MINUTE }),
        messages: webSocketMetric(wsStage, 'MessageCount', { statistic: 'Sum', period: ONE_MINUTE }),
      },
      label: 'WebSocket connects and messages',
      period: ONE_MINUTE,
    });
    this.alarm('WebSocketIntegrationErrorRate', {
      description:
        'WebSocket API: over 5 % of connects and messages got an error from their integration (the function), 3 of 5 minutes',
      metric: percentOf(
        webSocketMetric(wsStage, 'IntegrationError', { statistic: 'Sum', period: ONE_MINUTE }),
        wsRequests,
        'WebSocket integration error rate (%)',
        ONE_MINUTE,
      ),
      threshold: 5,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
    });

    const { queue, deadLetterQueue } = props.jobsQueue;
    this.alarm('JobsDeadLetters', {
      description: 'Jobs dead-letter queue has messages: a job failed every delivery (redrive it once fixed)',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: ONE_MINUTE,
      }),
      threshold: 0,
      datapointsToAlarm: 1,
      evaluationPeriods: 1,
    });
    this.alarm('JobsOldestMessageAge', {
      description:
        'Jobs queue: its oldest message is over 15 minutes old, 3 of 5 minutes (workers behind or failing)',
      metric: queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: ONE_MINUTE }),
      threshold: 15 * 60,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
    });
    for (const [name, failureQueue] of Object.entries(props.failureQueues ?? {})) {
      this.alarm(`${name}Visible`, {
        description: `${name} queue has messages: a stream consumer gave up on records (each message names them)`,
        metric: failureQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: ONE_MINUTE,
        }),
        threshold: 0,
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      });
    }

    const consumers = streamConsumers(stack);
    for (const consumer of consumers) {
      this.alarm(`${consumer.name}IteratorAge`, {
        description: `${consumer.name}: the stream records it reads are over 60 s old, 3 of 5 minutes (it is falling behind the table)`,
        metric: consumer.function.metric('IteratorAge', { statistic: 'Maximum', period: ONE_MINUTE }),
        threshold: 60_000,
        datapointsToAlarm: 3,
        evaluationPeriods: 5,
      });
    }

    for (const [name, table] of Object.entries(props.tables)) {
      this.alarm(`${name}ThrottledRequests`, {
        description: `DynamoDB ${name}: requests throttled, 3 of 5 minutes (sum over the app's operations)`,
        metric: sumOverOperations(table, 'ThrottledRequests'),
        threshold: 0,
        datapointsToAlarm: 3,
        evaluationPeriods: 5,
      });
      this.alarm(`${name}SystemErrors`, {
        description: `DynamoDB ${name}: system errors (HTTP 500 from DynamoDB), 2 of 3 minutes (sum over the app's operations)`,
        metric: sumOverOperations(table, 'SystemErrors'),
        threshold: 0,
        datapointsToAlarm: 2,
        evaluationPeriods: 3,
      });
    }

    const functions = serviceFunctions(stack);
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      dashboardName: `${APP_NAME}-${props.stage}`,
      requestApis: [rest, http],
      webSocketStage: wsStage,
      jobsQueue: props.jobsQueue,
      jobWorker: props.jobWorker,
      broadcaster: props.liveUpdates.broadcaster.function,
      broadcastFailures: props.liveUpdates.failureQueue,
      streamConsumers: consumers,
      functions,
      tables: props.tables,
      alarms: Object.values(this.created),
    });

    this.node.addValidation({
      validate: () => {
        const missed = [
          ...serviceFunctions(stack).filter((fn) => !functions.includes(fn)),
          ...streamConsumers(stack)
            .filter((c) => !consumers.some((known) => known.function === c.function))
            .map((c) => c.function),
        ];
        return missed.map(
          (fn) =>
            `${fn.node.path} was created after the operations monitoring, so it has no dashboard widget or stream alarm: create OperationsMonitoring last in the stack`,
        );
      },
    });
  }

  /** 5XX and 4XX rates and p99 latencies of a REST or HTTP API. */
  private requestApiAlarms(
    api: RequestApiSignals,
    limits: { latencyMs: number; integrationLatencyMs: number },
  ): void {
    this.alarm(`${api.name}Api5xxRate`, {
      description: `${api.name} API: over 1 % of requests answered 5XX, 3 of 5 minutes`,
      metric: percentOf(
        api.serverErrors(ONE_MINUTE),
        api.requests(ONE_MINUTE),
        `${api.name} 5XX rate (%)`,
        ONE_MINUTE,
      ),
      threshold: 1,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
    });
    this.alarm(`${api.name}Api4xxRate`, {
      description: `${api.name} API: over 10 % of requests answered 4XX (429 throttling and quota included), 3 of 3 five-minute periods`,
      metric: percentOf(
        api.clientErrors(FIVE_MINUTES),
        api.requests(FIVE_MINUTES),
        `${api.name} 4XX rate (%)`,
        FIVE_MINUTES,
      ),
      threshold: 10,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
    });
    this.alarm(`${api.name}ApiLatencyP99`, {
      description: `${api.name} API: p99 latency over ${limits.latencyMs} ms, 3 of 5 minutes`,
      metric: api.latency('p99', ONE_MINUTE),
      threshold: limits.latencyMs,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
    });
    this.alarm(`${api.name}ApiIntegrationLatencyP99`, {
      description: `${api.name} API: p99 integration (backend) latency over ${limits.integrationLatencyMs} ms, 3 of 5 minutes`,
      metric: api.integrationLatency('p99', ONE_MINUTE),
      threshold: limits.integrationLatencyMs,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
    });
  }

  private alarm(id: string, spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      // No traffic is not a failure: a quiet API, an empty queue or an idle stream stays OK.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.created[id] = alarm;
    return alarm;
  }
}

/**
 * A table metric that DynamoDB reports per operation (`TableName` + `Operation`), summed over the operations the
 * app calls. Alarms cannot evaluate a SEARCH expression, so the sum is metric math over one metric per
 * operation (at most 10 per alarm); FILL makes an operation with no data count as 0 rather than blank the sum.
 */
export function sumOverOperations(
  table: dynamodb.ITable,
  metricName: 'ThrottledRequests' | 'SystemErrors',
  period: Duration = ONE_MINUTE,
): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  for (const [index, operation] of TABLE_OPERATIONS.entries()) {
    usingMetrics[`op${index}`] = new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.tableName, Operation: operation },
      statistic: 'Sum',
      period,
    });
  }
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((key) => `FILL(${key}, 0)`)
      .join(' + '),
    usingMetrics,
    label: `${metricName} (all operations)`,
    period,
  });
}

/** Every ServiceFunction in the stack, in tree order. */
function serviceFunctions(stack: Stack): ServiceFunction[] {
  return stack.node.findAll().filter((node): node is ServiceFunction => node instanceof ServiceFunction);
}

/**
 * The functions reading a stream: an event-source mapping with a starting position (DynamoDB or Kinesis; SQS
 * mappings have none), on the function itself or on one of its aliases or versions.
 */
function streamConsumers(stack: Stack): StreamConsumer[] {
  const found = new Map<lambda.IFunction, StreamConsumer>();
  for (const node of stack.node.findAll()) {
    if (!(node instanceof lambda.EventSourceMapping)) continue;
    const cfn = node.node.defaultChild as lambda.CfnEventSourceMapping;
    if (cfn.startingPosition === undefined) continue;
    const fn = functionOf(node.node.scope);
    if (fn === undefined || found.has(fn)) continue;
    const relative = fn.node.path.split('/').slice(1);
    if (relative[relative.length - 1] === 'Function') relative.pop();
    found.set(fn, { name: relative.join('').replace(/[^A-Za-z0-9]/g, ''), function: fn });
  }
  return [...found.values()];
}

function functionOf(scope: IConstruct | undefined): lambda.IFunction | undefined {
  if (scope instanceof lambda.Function) return scope;
  if (scope instanceof lambda.Alias) return scope.version.lambda;
  if (scope instanceof lambda.Version) return scope.lambda;
  return undefined;
}
