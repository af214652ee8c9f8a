import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { LocalService } from '../local-service';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import type { NotEmulatedResources } from '../resource-coverage';
import { deliveryQueueName, LambdaSubscription } from './lambda-subscriptions';
import { SnsFront } from './sns-front';
import { ENGINE_ACCOUNT, engineArn, subscriptionDefinitions, topicDefinitions } from './topic-definitions';

/** Where the SNS service finds its engine: the SQS service's fauxqs, which serves SNS on the same endpoint. */
export interface SnsServiceOptions {
  /** The engine's endpoint; known once the SQS service has bound (before any service starts). */
  readonly engineEndpoint: () => string | undefined;
}

/** Subscription protocols the local cloud delivers. */
const DELIVERED_PROTOCOLS = new Set(['sqs', 'lambda']);
/**
 * Protocols that reach a person (alarm e-mails, texts): nothing in the app can notice them missing, so they are a
 * notice at start rather than a resource not emulated (which `--strict` refuses).
 */
const TO_PEOPLE = new Set(['email', 'email-json', 'sms']);

/** A subscription as the engine holds it: its ARNs in the engine's account. */
interface EngineSubscription {
  readonly topicArn: string;
  readonly endpoint: string;
  readonly attributes: Record<string, string>;
}

/**
 * Makes the engine's subscriptions the template's (every one is to a queue: Lambda subscriptions go through a
 * hidden queue). The engine refuses a second Subscribe with other attributes, so a subscription of the same topic
 * and queue is made again, and a hidden queue's subscription the template no longer has is removed: a
 * re-synthesized filter policy takes effect on reload, and under `--persist` after a restart. Subscriptions an
 * app made itself at run time to other endpoints stay.
 */
async function syncSubscriptions(client: SNSClient, wanted: readonly EngineSubscription[]): Promise<void> {
  const wantedKeys = new Set(wanted.map((w) => `${w.topicArn} ${w.endpoint}`));
  const topics = [...new Set(wanted.map((w) => w.topicArn))];
  for (const topicArn of topics) {
    const { Subscriptions = [] } = await client.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
    );
    for (const existing of Subscriptions) {
      const key = `${topicArn} ${existing.Endpoint}`;
      const staleDelivery = existing.Endpoint?.includes(':cdk-local-sns-lambda-') && !wantedKeys.has(key);
      if (existing.SubscriptionArn && (wantedKeys.has(key) || staleDelivery)) {
        await client.send(new UnsubscribeCommand({ SubscriptionArn: existing.SubscriptionArn }));
      }
    }
  }
  for (const subscription of wanted) {
    await client.send(
      new SubscribeCommand({
        TopicArn: subscription.topicArn,
        Protocol: 'sqs',
        Endpoint: subscription.endpoint,
        Attributes: subscription.attributes,
      }),
    );
  }
}

/**
 * SNS: the template's topics and their SQS and Lambda subscriptions (filter policies on attributes or body,
 * raw delivery), served by fauxqs — the SQS service's engine — behind an endpoint of its own
 * (`AWS_ENDPOINT_URL_SNS`) that maps the template's account onto the engine's. SQS subscriptions are the
 * engine's; Lambda ones are delivered by lambda-subscriptions.ts. E-mail and SMS ones are a notice at start;
 * other protocols (HTTP, Firehose, mobile push) are reported as not served.
 */
export function snsService(options: SnsServiceOptions): LocalService {
  return {
    name: 'sns',
    resourceTypes: {
      emulated: ['AWS::SNS::Topic', 'AWS::SNS::Subscription'],
      notEmulated: {
        'AWS::SNS::TopicPolicy': 'topic policies are accepted but not enforced (no IAM locally)',
      },
    },
    async bind(context) {
      const front = new SnsFront();
      const endpoint = await front.listen(context.servicePort(0));
      const deliveries: LambdaSubscription[] = [];
      const stopDeliveries = async () => {
        await Promise.all(deliveries.splice(0).map((d) => d.close()));
      };

      const serve = async (model: LocalCloudModel, invoker: LambdaInvoker) => {
        const engine = options.engineEndpoint();
        if (!engine) throw new Error('SNS needs the SQS service (its engine serves SNS): it is not bound');
        front.connect(engine, model.accountId);
        const client = new SNSClient({
          region: context.region,
          endpoint: engine,
          credentials: context.credentials,
        });
        const notServed: NotEmulatedResources[] = [];
        const notices: string[] = [];
        try {
          for (const topic of topicDefinitions(model)) {
            await client.send(new CreateTopicCommand({ Name: topic.name, Attributes: topic.attributes }));
          }
          const { subscriptions, invalid } = subscriptionDefinitions(model);
          const wanted: EngineSubscription[] = [];
          for (const { id, reason } of invalid) {
            notServed.push({ type: 'AWS::SNS::Subscription', logicalIds: [id], reason });
          }
          for (const subscription of subscriptions) {
            const id = `${subscription.stackName}/${subscription.logicalId}`;
            if (TO_PEOPLE.has(subscription.protocol)) {
              notices.push(
                `SNS subscription ${id} (${subscription.protocol}) is not delivered: notifications to people are not sent locally`,
              );
              continue;
            }
            if (!DELIVERED_PROTOCOLS.has(subscription.protocol)) {
              notServed.push({
                type: 'AWS::SNS::Subscription',
                logicalIds: [id],
                reason: `protocol ${subscription.protocol} is not delivered locally (sqs and lambda are)`,
              });
              continue;
            }
            if (subscription.protocol === 'sqs') {
              wanted.push({
                topicArn: engineArn(subscription.topicArn),
                endpoint: engineArn(subscription.endpoint),
                attributes: subscription.attributes,
              });
              continue;
            }
            // The function's notifications are the envelope in a hidden queue: raw delivery does not apply.
            const { RawMessageDelivery: _raw, ...attributes } = subscription.attributes;
            wanted.push({
              topicArn: engineArn(subscription.topicArn),
              endpoint: `arn:aws:sqs:${context.region}:${ENGINE_ACCOUNT}:${deliveryQueueName(subscription)}`,
              attributes,
            });
            const delivery = new LambdaSubscription({
              subscription,
              engineEndpoint: engine,
              region: context.region,
              account: model.accountId,
              credentials: context.credentials,
              invoker,
              log: context.log,
            });
            await delivery.start();
            deliveries.push(delivery);
          }
          await syncSubscriptions(client, wanted);
        } finally {
          client.destroy();
        }
        return { notServed, notices };
      };

      return {
        functionEnv: { AWS_ENDPOINT_URL_SNS: endpoint },
        async start({ model, invoker }) {
          const { notServed, notices } = await serve(model, invoker);
          return {
            endpoints: [{ kind: 'SNS', name: 'sns', url: endpoint }],
            notServed,
            notices,
            // Topics are made again (idempotent), subscriptions synced (see syncSubscriptions); messages stay.
            reload: async (next) => {
              await stopDeliveries();
              const { notices: nextNotices } = await serve(next.model, invoker);
              return { changed: ['topics and subscriptions re-read'], notices: nextNotices };
            },
          };
        },
        async close() {
          await stopDeliveries();
          await front.close();
        },
      };
    },
  };
}
