import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { LocalService } from '../local-service';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import type { NotEmulatedResources } from '../resource-coverage';
import { LambdaSubscription } from './lambda-subscriptions';
import { SnsFront } from './sns-front';
import { engineArn, subscriptionDefinitions, topicDefinitions } from './topic-definitions';

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
              await client.send(
                new SubscribeCommand({
                  TopicArn: engineArn(subscription.topicArn),
                  Protocol: 'sqs',
                  Endpoint: engineArn(subscription.endpoint),
                  Attributes: subscription.attributes,
                }),
              );
              continue;
            }
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
            // Topics and subscriptions are made again (the engine takes both idempotently); messages stay.
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
