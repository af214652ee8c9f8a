import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LOCAL_CREDENTIALS } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * SNS in a small CDK app of our own: a topic fanning out to two queues (a filter policy on message attributes
 * with raw delivery; a filter policy on the message body with the SNS envelope) and to a function (a filter
 * policy; the SNS event shape), published to with the SDK through the cloud's SNS endpoint and the template's
 * topic ARN, as a function would.
 */
const ACCOUNT = '123456789012';
let served: CloudOnApp | undefined;
let topicArn = '';
interface SnsEvent {
  readonly Records: ReadonlyArray<Record<string, unknown>>;
}
const events: Array<{ readonly arn: string; readonly event: SnsEvent }> = [];

let threshold = 100;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'SnsApp', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const topic = new sns.Topic(stack, 'Orders', { topicName: 'sns-app-orders' });
  const big = new sqs.Queue(stack, 'Big', { queueName: 'sns-app-big' });
  const eu = new sqs.Queue(stack, 'Eu', { queueName: 'sns-app-eu' });
  topic.addSubscription(
    new subscriptions.SqsSubscription(big, {
      rawMessageDelivery: true,
      filterPolicy: { amount: sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: threshold }) },
    }),
  );
  topic.addSubscription(
    new subscriptions.SqsSubscription(eu, {
      filterPolicyWithMessageBody: {
        region: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ matchPrefixes: ['eu-'] })),
      },
    }),
  );
  const audit = new lambda.Function(stack, 'Audit', {
    functionName: 'sns-app-audit',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
  });
  topic.addSubscription(
    new subscriptions.LambdaSubscription(audit, {
      filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['audit'] }) },
    }),
  );
  const role = new iam.Role(stack, 'GatewayRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
  });
  topic.grantPublish(role);
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('publish').addMethod(
    'POST',
    new apigw.AwsIntegration({
      service: 'sns',
      action: 'Publish',
      options: {
        credentialsRole: role,
        requestParameters: {
          'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
        },
        requestTemplates: {
          'application/json': `Action=Publish&TopicArn=$util.urlEncode('${topic.topicArn}')&Message=$util.urlEncode($input.body)`,
        },
        integrationResponses: [
          {
            statusCode: '202',
            responseTemplates: {
              'application/json': `{"messageId": "$input.path('$.PublishResponse.PublishResult.MessageId')"}`,
            },
          },
        ],
      },
    }),
    { methodResponses: [{ statusCode: '202' }] },
  );
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-sns', synth, {
    onEvent: (arn, event) => events.push({ arn, event: event as SnsEvent }),
  });
  topicArn = served.cloud.model.resources.find((r) => r.type === 'AWS::SNS::Topic')?.physicalId ?? '';
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const client = () =>
  new SNSClient({ region: 'us-east-1', endpoint: served?.endpoint('SNS'), credentials: LOCAL_CREDENTIALS });
const queues = () =>
  new SQSClient({ region: 'us-east-1', endpoint: served?.endpoint('SQS'), credentials: LOCAL_CREDENTIALS });

async function receive(queueName: string): Promise<string[]> {
  const url = `${served?.endpoint('SQS')}/${ACCOUNT}/${queueName}`;
  const received = await queues().send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  return (received.Messages ?? []).map((m) => m.Body ?? '');
}

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never happened');
}

describe('SNS topics and subscriptions', () => {
  it('resolves the template topic ARN with the app account, and publishes with it', async () => {
    expect(topicArn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:sns-app-orders`);
    const published = await client().send(new PublishCommand({ TopicArn: topicArn, Message: 'hello' }));
    expect(published.MessageId).toEqual(expect.any(String));
  });

  it('delivers to a queue only what its attribute filter policy accepts, raw', async () => {
    await client().send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: '{"order":"small"}',
        MessageAttributes: { amount: { DataType: 'Number', StringValue: '5' } },
      }),
    );
    await client().send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: '{"order":"big"}',
        MessageAttributes: { amount: { DataType: 'Number', StringValue: '250' } },
      }),
    );
    expect(await receive('sns-app-big')).toEqual(['{"order":"big"}']);
  });

  it('filters on the message body and delivers the SNS envelope to a queue without raw delivery', async () => {
    await client().send(
      new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ region: 'us-east-1' }) }),
    );
    await client().send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'moved',
        Message: JSON.stringify({ region: 'eu-west-3' }),
      }),
    );
    const bodies = (await receive('sns-app-eu')).map((body) => JSON.parse(body));
    expect(bodies).toEqual([
      expect.objectContaining({
        Type: 'Notification',
        TopicArn: topicArn,
        Subject: 'moved',
        Message: JSON.stringify({ region: 'eu-west-3' }),
      }),
    ]);
  });

  it('invokes a subscribed function with the SNS event for a message its filter policy accepts', async () => {
    await client().send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'ignored',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'other' } },
      }),
    );
    await client().send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'audit me',
        Message: 'payload',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'audit' } },
      }),
    );
    const delivered = await until(() => events.find(({ arn }) => arn.endsWith(':sns-app-audit')));
    const record = delivered.event.Records[0] ?? {};
    expect(record).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: expect.stringMatching(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`)),
      Sns: {
        Type: 'Notification',
        TopicArn: topicArn,
        Subject: 'audit me',
        Message: 'payload',
        MessageAttributes: { kind: { Type: 'String', Value: 'audit' } },
      },
    });
    expect(events.filter(({ arn }) => arn.endsWith(':sns-app-audit'))).toHaveLength(1);
  });

  it('publishes through a REST AWS integration (sns:Publish with a form-encoded mapping template)', async () => {
    const response = await fetch(`${served?.cloud.restApis[0]?.url}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ region: 'eu-south-1' }),
    });
    expect(response.status).toBe(202);
    const { messageId } = (await response.json()) as { messageId: string };
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    const bodies = (await receive('sns-app-eu')).map((body) => JSON.parse(body));
    expect(bodies).toEqual([
      expect.objectContaining({ MessageId: messageId, Message: JSON.stringify({ region: 'eu-south-1' }) }),
    ]);
  });

  it('applies a changed filter policy after a reload of the re-synthesized app', async () => {
    threshold = 1000;
    synth(served?.cdkOut ?? '');
    await served?.cloud.reload();
    const publish = (amount: string) =>
      client().send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: `amount ${amount}`,
          MessageAttributes: { amount: { DataType: 'Number', StringValue: amount } },
        }),
      );
    await publish('250');
    await publish('2000');
    expect(await receive('sns-app-big')).toEqual(['amount 2000']);
  });
});
