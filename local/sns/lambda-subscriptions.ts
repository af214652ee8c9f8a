import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../model';
import { ENGINE_ACCOUNT, type SubscriptionDefinition } from './topic-definitions';

/** The envelope the engine writes to a subscribed queue (non-raw delivery). */
interface Envelope {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly UnsubscribeURL: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/**
 * The event Lambda receives from an SNS subscription: one record per invocation, the notification's fields
 * with Lambda's spelling (`SigningCertUrl`, `UnsubscribeUrl`), `Subject` null when absent and
 * `MessageAttributes` `{}` when none (the shape of AWS's sample event "sns-notification").
 */
export function snsLambdaEvent(subscription: SubscriptionDefinition, envelope: Envelope, account: string) {
  const appArn = (arn: string) => arn.replace(`:${ENGINE_ACCOUNT}:`, `:${account}:`);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscription.arn,
        Sns: {
          Type: envelope.Type,
          MessageId: envelope.MessageId,
          TopicArn: appArn(envelope.TopicArn),
          Subject: envelope.Subject ?? null,
          Message: envelope.Message,
          Timestamp: envelope.Timestamp,
          SignatureVersion: envelope.SignatureVersion,
          Signature: envelope.Signature,
          SigningCertUrl: envelope.SigningCertURL,
          UnsubscribeUrl: `https://sns.${subscription.topicArn.split(':')[3]}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
          MessageAttributes: envelope.MessageAttributes ?? {},
        },
      },
    ],
  };
}

/** The hidden queue a Lambda subscription is delivered through: stable per subscription, so `--persist` keeps it. */
export function deliveryQueueName(subscription: SubscriptionDefinition): string {
  const hash = createHash('sha256').update(subscription.arn).digest('hex').slice(0, 16);
  return `cdk-local-sns-lambda-${hash}`;
}

export interface LambdaSubscriptionOptions {
  readonly subscription: SubscriptionDefinition;
  readonly engineEndpoint: string;
  readonly region: string;
  readonly account: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly invoker: LambdaInvoker;
  readonly log: (line: string) => void;
}

/**
 * Delivers an SNS topic to a Lambda subscription. The engine delivers only to queues, so the subscription is
 * made (by the SNS service) for a hidden queue of its own with the same filter policy (the engine filters, attributes and body
 * scope alike), and each notification found there invokes the function asynchronously with the SNS event.
 * Not emulated: Lambda's retries of a failed asynchronous invocation (a failure is logged, the notification
 * dropped) and the subscription's own redrive policy.
 */
export class LambdaSubscription {
  private readonly sqs: SQSClient;
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LambdaSubscriptionOptions) {
    this.sqs = new SQSClient({
      region: options.region,
      endpoint: options.engineEndpoint,
      credentials: options.credentials,
    });
  }

  /** Creates the hidden queue (the SNS service subscribes it) and starts delivering from it. */
  async start(): Promise<void> {
    const { subscription } = this.options;
    const name = deliveryQueueName(subscription);
    await this.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const queueUrl = `${this.options.engineEndpoint.replace(/\/+$/, '')}/${ENGINE_ACCOUNT}/${name}`;
    this.loop = this.poll(queueUrl);
  }

  private async poll(queueUrl: string): Promise<void> {
    while (!this.stop.signal.aborted) {
      let messages: Message[];
      try {
        const received = await this.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
          { abortSignal: this.stop.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.options.log(`SNS delivery to ${this.options.subscription.endpoint}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      await Promise.all(messages.map((message) => this.deliver(queueUrl, message)));
    }
  }

  private async deliver(queueUrl: string, message: Message): Promise<void> {
    const { subscription, invoker, account } = this.options;
    try {
      const envelope = JSON.parse(message.Body ?? '') as Envelope;
      await invoker.invoke(subscription.endpoint, snsLambdaEvent(subscription, envelope, account));
    } catch (error) {
      this.options.log(
        `SNS delivery of a notification to ${subscription.endpoint} failed (Lambda's asynchronous retries are not emulated): ${String(error)}`,
      );
    }
    await this.sqs
      .send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }))
      .catch(() => undefined);
  }

  /** Stops delivering (a delivery in flight finishes). */
  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
    this.sqs.destroy();
  }
}
