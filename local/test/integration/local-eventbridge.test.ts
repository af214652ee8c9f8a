import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LOCAL_CREDENTIALS } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * EventBridge in a small CDK app of our own: a custom bus and the default one, rules with event patterns, targets
 * (a queue through an input transformer, a function with an input path, a topic, another bus, a queue that does
 * not exist with a retry policy and a dead-letter queue), events put with the SDK, through a REST `AWS`
 * integration (PutEvents with a mapping template) and through an HTTP API `EventBridge-PutEvents` integration.
 */
const ACCOUNT = '123456789012';
let served: CloudOnApp | undefined;
const events_: Array<{ readonly arn: string; readonly event: unknown }> = [];

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'EventsApp', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const bus = new events.EventBus(stack, 'Orders', { eventBusName: 'orders-bus' });
  const big = new sqs.Queue(stack, 'BigEu', { queueName: 'events-app-big-eu' });
  const dlq = new sqs.Queue(stack, 'Dlq', { queueName: 'events-app-dlq' });
  const fromTopic = new sqs.Queue(stack, 'FromTopic', { queueName: 'events-app-from-topic' });
  const topic = new sns.Topic(stack, 'Alerts');
  topic.addSubscription(new subscriptions.SqsSubscription(fromTopic, { rawMessageDelivery: true }));
  const audit = new lambda.Function(stack, 'Audit', {
    functionName: 'events-app-audit',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
  });

  new events.Rule(stack, 'BigEuOrders', {
    eventBus: bus,
    eventPattern: {
      source: ['app.orders'],
      detailType: ['OrderPlaced'],
      detail: { amount: events.Match.greaterThanOrEqual(100), region: events.Match.prefix('eu-') },
    },
    targets: [
      new targets.SqsQueue(big, {
        message: events.RuleTargetInput.fromObject({
          order: events.EventField.fromPath('$.detail.id'),
          kind: events.EventField.detailType,
        }),
      }),
    ],
  });
  new events.Rule(stack, 'AuditAnything', {
    eventBus: bus,
    eventPattern: {
      source: events.Match.anyOf(events.Match.prefix('app.'), events.Match.exactString('partner')),
    },
    targets: [new targets.LambdaFunction(audit, { event: events.RuleTargetInput.fromEventPath('$.detail') })],
  });
  new events.Rule(stack, 'Alerting', {
    eventPattern: { source: ['app.alerts'], detail: { level: events.Match.anythingBut('debug') } },
    targets: [
      new targets.SnsTopic(topic, {
        message: events.RuleTargetInput.fromText(`alert: ${events.EventField.fromPath('$.detail.text')}`),
      }),
    ],
  });
  new events.Rule(stack, 'Forward', {
    eventPattern: { source: ['app.forward'] },
    targets: [new targets.EventBus(bus)],
  });
  const missing = sqs.Queue.fromQueueArn(
    stack,
    'Missing',
    `arn:aws:sqs:us-east-1:${ACCOUNT}:events-app-not-there`,
  );
  new events.Rule(stack, 'ToNowhere', {
    eventPattern: { source: ['app.lost'] },
    targets: [
      new targets.SqsQueue(missing, {
        retryAttempts: 1,
        maxEventAge: Duration.minutes(1),
        deadLetterQueue: dlq,
      }),
    ],
  });

  const role = new iam.Role(stack, 'GatewayRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
  });
  bus.grantPutEventsTo(role);
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('orders').addMethod(
    'POST',
    new apigw.AwsIntegration({
      service: 'events',
      action: 'PutEvents',
      options: {
        credentialsRole: role,
        requestTemplates: {
          'application/json': `#set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")
{"Entries": [{"Source": "app.orders", "DetailType": "OrderPlaced", "EventBusName": "${bus.eventBusName}",
  "Detail": "$util.escapeJavaScript($input.body)"}]}`,
        },
        integrationResponses: [
          {
            statusCode: '202',
            responseTemplates: { 'application/json': `{"eventId": "$input.path('$.Entries[0].EventId')"}` },
          },
        ],
      },
    }),
    { methodResponses: [{ statusCode: '202' }] },
  );
  const http = new apigwv2.HttpApi(stack, 'Http', { createDefaultStage: true });
  const integration = new apigwv2.CfnIntegration(stack, 'PutEventsIntegration', {
    apiId: http.apiId,
    integrationType: 'AWS_PROXY',
    integrationSubtype: 'EventBridge-PutEvents',
    credentialsArn: role.roleArn,
    payloadFormatVersion: '1.0',
    requestParameters: {
      Source: 'partner',
      DetailType: '$request.header.x-kind',
      Detail: '$request.body',
      EventBusName: bus.eventBusName,
    },
  });
  new apigwv2.CfnRoute(stack, 'PutEventsRoute', {
    apiId: http.apiId,
    routeKey: 'POST /events',
    target: `integrations/${integration.ref}`,
  });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-eventbridge', synth, {
    onEvent: (arn, event) => events_.push({ arn, event }),
  });
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const bridge = () =>
  new EventBridgeClient({
    region: 'us-east-1',
    endpoint: served?.cloud.functionEnv.AWS_ENDPOINT_URL_EVENTBRIDGE,
    credentials: LOCAL_CREDENTIALS,
  });
const queues = new Map<string, SQSClient>();

async function receiveAll(queueName: string, count: number): Promise<string[]> {
  const client =
    queues.get(queueName) ??
    new SQSClient({ region: 'us-east-1', endpoint: served?.endpoint('SQS'), credentials: LOCAL_CREDENTIALS });
  queues.set(queueName, client);
  const bodies: string[] = [];
  for (let attempt = 0; attempt < 20 && bodies.length < count; attempt++) {
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: `${served?.endpoint('SQS')}/${ACCOUNT}/${queueName}`,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    bodies.push(...(received.Messages ?? []).map((m) => m.Body ?? ''));
  }
  return bodies;
}

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never happened');
}

const put = (Source: string, DetailType: string, detail: unknown, EventBusName?: string) =>
  bridge().send(
    new PutEventsCommand({
      Entries: [
        { Source, DetailType, Detail: JSON.stringify(detail), ...(EventBusName ? { EventBusName } : {}) },
      ],
    }),
  );

describe('EventBridge rules and targets', () => {
  it('routes to a queue only the events its pattern matches, through the input transformer', async () => {
    const small = await put(
      'app.orders',
      'OrderPlaced',
      { id: 'o-1', amount: 20, region: 'eu-west-1' },
      'orders-bus',
    );
    await put('app.orders', 'OrderPlaced', { id: 'o-2', amount: 500, region: 'us-east-1' }, 'orders-bus');
    await put('app.orders', 'OrderPlaced', { id: 'o-3', amount: 500, region: 'eu-central-1' }, 'orders-bus');
    expect(small.FailedEntryCount).toBe(0);
    const bodies = (await receiveAll('events-app-big-eu', 1)).map((body) => JSON.parse(body));
    expect(bodies).toEqual([{ order: 'o-3', kind: 'OrderPlaced' }]);
  });

  it('invokes a function target with the value at its input path, for a $or-style anyOf pattern', async () => {
    await put('partner', 'Ping', { partner: 'acme' }, 'orders-bus');
    const delivered = await until(() =>
      events_.find(
        ({ arn, event }) =>
          arn.endsWith(':events-app-audit') && (event as { partner?: string }).partner === 'acme',
      ),
    );
    expect(delivered.event).toEqual({ partner: 'acme' });
  });

  it('publishes a text input to a topic target, and leaves out what anything-but excludes', async () => {
    await put('app.alerts', 'Alert', { level: 'debug', text: 'ignore me' });
    await put('app.alerts', 'Alert', { level: 'error', text: 'disk full' });
    expect(await receiveAll('events-app-from-topic', 1)).toEqual(['alert: disk full']);
  });

  it('forwards from the default bus to another bus, whose rules then see the event', async () => {
    await put('app.forward', 'OrderPlaced', { id: 'o-9' });
    // Only the custom bus's audit rule (source prefix app.) invokes the function: the event crossed buses.
    const delivered = await until(() => events_.find(({ event }) => (event as { id?: string }).id === 'o-9'));
    expect(delivered.arn).toMatch(/:events-app-audit$/);
  });

  it('sends the event to the dead-letter queue once the retries of an undeliverable target are spent', async () => {
    const { Entries } = await put('app.lost', 'Lost', { n: 1 });
    const bodies = (await receiveAll('events-app-dlq', 1)).map((body) => JSON.parse(body));
    expect(bodies).toEqual([
      expect.objectContaining({ id: Entries?.[0]?.EventId, source: 'app.lost', detail: { n: 1 } }),
    ]);
  });

  it('refuses an entry whose detail is not a JSON object, and one for a bus that does not exist', async () => {
    const answer = await bridge().send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app.orders', DetailType: 'X', Detail: 'not json' },
          { Source: 'app.orders', DetailType: 'X', Detail: '{}', EventBusName: 'nope' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((e) => e.ErrorCode)).toEqual(['MalformedDetail', 'ResourceNotFoundException']);
  });
});

describe('API Gateway integrations with EventBridge', () => {
  it('puts an event through a REST AWS integration (PutEvents with a mapping template)', async () => {
    const response = await fetch(`${served?.cloud.restApis[0]?.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'r-1', amount: 300, region: 'eu-west-2' }),
    });
    expect(response.status).toBe(202);
    const { eventId } = (await response.json()) as { eventId: string };
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    const bodies = (await receiveAll('events-app-big-eu', 1)).map((body) => JSON.parse(body));
    expect(bodies).toEqual([expect.objectContaining({ order: 'r-1' })]);
  });

  it('puts an event through an HTTP API EventBridge-PutEvents integration, parameters mapped from the request', async () => {
    const response = await fetch(`${served?.endpoint('HTTP API')}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kind': 'Shipment' },
      body: JSON.stringify({ partner: 'globex' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      Entries: [{ EventId: expect.any(String) }],
      FailedEntryCount: 0,
    });
    await until(() =>
      events_.find(
        ({ arn, event }) =>
          arn.endsWith(':events-app-audit') && (event as { partner?: string }).partner === 'globex',
      ),
    );
  });
});
