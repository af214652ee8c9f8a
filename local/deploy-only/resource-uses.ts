/**
 * How an app uses a resource, read from the template: what decides whether a topic, key or log subscription
 * is deploy-only or something a function would miss locally.
 */
import type { LocalResource } from '../model';

/** Every string a template may use to name the resource: its `Ref` value and its attributes. */
function namesOf(resource: LocalResource): string[] {
  return [resource.physicalId, ...Object.values(resource.attributes)].filter((name) => name.length > 0);
}

/** Whether `value` (a resolved property: string, list or object) names `resource` anywhere inside. */
function mentions(value: unknown, names: readonly string[]): boolean {
  if (typeof value === 'string') return names.some((name) => value.includes(name));
  if (Array.isArray(value)) return value.some((item) => mentions(item, names));
  if (value && typeof value === 'object') return Object.values(value).some((item) => mentions(item, names));
  return false;
}

/**
 * Whether some function is handed the resource in its environment, the way CDK apps give code a topic ARN, a
 * key id or a secret name: then the function may call that service at run time, which locally reaches no
 * endpoint.
 */
export function givenToAFunction(resource: LocalResource, resources: readonly LocalResource[]): boolean {
  const names = namesOf(resource);
  return resources.some(
    (other) => other.type === 'AWS::Lambda::Function' && mentions(other.properties.Environment, names),
  );
}

const ALARM_TYPES = new Set(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']);
const ALARM_ACTION_PROPERTIES = ['AlarmActions', 'OKActions', 'InsufficientDataActions'];

/** Whether some alarm of the app notifies the topic. */
export function notifiedByAnAlarm(topic: LocalResource, resources: readonly LocalResource[]): boolean {
  const names = namesOf(topic);
  return resources.some(
    (other) =>
      ALARM_TYPES.has(other.type) &&
      ALARM_ACTION_PROPERTIES.some((property) => mentions(other.properties[property], names)),
  );
}

/** Subscription protocols whose endpoint is code or a queue of an app, rather than a person or a pager. */
const APP_PROTOCOLS = new Set(['lambda', 'sqs', 'firehose']);

/** Whether some subscription delivers the topic's messages to a function, a queue or a stream. */
export function deliveredToTheApp(topic: LocalResource, resources: readonly LocalResource[]): boolean {
  const toTheApp = (subscription: unknown) =>
    APP_PROTOCOLS.has(String((subscription as { Protocol?: unknown }).Protocol).toLowerCase());
  const inline = Array.isArray(topic.properties.Subscription) ? topic.properties.Subscription : [];
  return (
    inline.some(toTheApp) ||
    resources.some(
      (other) =>
        other.type === 'AWS::SNS::Subscription' &&
        other.properties.TopicArn === topic.physicalId &&
        toTheApp(other.properties),
    )
  );
}

/** The resources of `type` that `value` (e.g. a subscription's `TopicArn`) names. */
export function resourcesNamedBy(
  value: unknown,
  type: string,
  resources: readonly LocalResource[],
): LocalResource[] {
  return resources.filter((other) => other.type === type && mentions(value, namesOf(other)));
}
