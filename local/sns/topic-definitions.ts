import * as z from 'zod';
import type { LocalCloudModel } from '../model';
import { deterministicUuid } from '../template/physical-ids';

/** The account the SNS engine (fauxqs) puts in every ARN, whatever account the template names. */
export const ENGINE_ACCOUNT = '000000000000';

/** One AWS::SNS::Topic of the template, as the engine creates it. */
export interface TopicDefinition {
  readonly stackName: string;
  readonly logicalId: string;
  readonly name: string;
  /** The ARN the template resolves to (functions publish with it). */
  readonly arn: string;
  /** CreateTopic attributes (strings, as the SNS API takes them). */
  readonly attributes: Record<string, string>;
}

/** One AWS::SNS::Subscription of the template. */
export interface SubscriptionDefinition {
  readonly stackName: string;
  readonly logicalId: string;
  readonly topicArn: string;
  /** `sqs`, `lambda`, `email`, `http(s)`, … */
  readonly protocol: string;
  /** A queue ARN, a function ARN, an address. */
  readonly endpoint: string;
  /** The subscription's ARN (`<topicArn>:<uuid>`), stable across restarts: what Lambda events name. */
  readonly arn: string;
  /** Subscribe attributes: FilterPolicy (JSON text), FilterPolicyScope, RawMessageDelivery. */
  readonly attributes: Record<string, string>;
}

const booleanLike = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const topicProperties = z.object({
  FifoTopic: booleanLike.optional(),
  ContentBasedDeduplication: booleanLike.optional(),
});
const subscriptionProperties = z.object({
  TopicArn: z.string().min(1),
  Protocol: z.string().min(1),
  Endpoint: z.string().min(1),
  FilterPolicy: z.unknown().optional(),
  FilterPolicyScope: z.enum(['MessageAttributes', 'MessageBody']).optional(),
  RawMessageDelivery: booleanLike.optional(),
});

/** The template's topics. */
export function topicDefinitions(model: LocalCloudModel): TopicDefinition[] {
  return model.resources
    .filter((r) => r.type === 'AWS::SNS::Topic')
    .map((resource) => {
      const p = topicProperties.parse(resource.properties);
      const attributes: Record<string, string> = {};
      if (p.FifoTopic) attributes.FifoTopic = 'true';
      if (p.ContentBasedDeduplication) attributes.ContentBasedDeduplication = 'true';
      return {
        stackName: resource.stackName,
        logicalId: resource.logicalId,
        name: resource.attributes.TopicName ?? resource.physicalId.split(':').at(-1) ?? resource.logicalId,
        arn: resource.physicalId,
        attributes,
      };
    });
}

/** The template's subscriptions; one whose properties do not parse is returned in `invalid` with why. */
export function subscriptionDefinitions(model: LocalCloudModel): {
  readonly subscriptions: SubscriptionDefinition[];
  readonly invalid: Array<{ readonly id: string; readonly reason: string }>;
} {
  const subscriptions: SubscriptionDefinition[] = [];
  const invalid: Array<{ id: string; reason: string }> = [];
  for (const resource of model.resources.filter((r) => r.type === 'AWS::SNS::Subscription')) {
    const parsed = subscriptionProperties.safeParse(resource.properties);
    const id = `${resource.stackName}/${resource.logicalId}`;
    if (!parsed.success) {
      invalid.push({
        id,
        reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      continue;
    }
    const p = parsed.data;
    const attributes: Record<string, string> = {};
    if (p.FilterPolicy !== undefined) {
      attributes.FilterPolicy =
        typeof p.FilterPolicy === 'string' ? p.FilterPolicy : JSON.stringify(p.FilterPolicy);
    }
    if (p.FilterPolicyScope) attributes.FilterPolicyScope = p.FilterPolicyScope;
    if (p.RawMessageDelivery) attributes.RawMessageDelivery = 'true';
    subscriptions.push({
      stackName: resource.stackName,
      logicalId: resource.logicalId,
      topicArn: p.TopicArn,
      protocol: p.Protocol,
      endpoint: p.Endpoint,
      arn: `${p.TopicArn}:${deterministicUuid(id)}`,
      attributes,
    });
  }
  return { subscriptions, invalid };
}

/** An SNS or SQS ARN with the engine's account in place of the template's (the engine keys both by ARN). */
export function engineArn(arn: string): string {
  return arn.replace(/^(arn:[^:]+:(?:sns|sqs):[^:]*:)\d{12}:/, `$1${ENGINE_ACCOUNT}:`);
}
