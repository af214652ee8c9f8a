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

/** The resources of `type` that `value` (e.g. a subscription's `TopicArn`) names. */
export function resourcesNamedBy(
  value: unknown,
  type: string,
  resources: readonly LocalResource[],
): LocalResource[] {
  return resources.filter((other) => other.type === type && mentions(value, namesOf(other)));
}
