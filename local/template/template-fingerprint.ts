import type { LocalCloudModel, LocalResource } from '../model';

/**
 * Where a resource is in the template, for comparing two synths. A Lambda version is keyed by what it is
 * (its ARN, `function:1` locally) rather than its logical id: CDK's `currentVersion` puts a hash of the
 * function's code in that id, so without this every code edit would look like a new version resource.
 */
function keyOf(resource: LocalResource): string {
  return resource.type === 'AWS::Lambda::Version'
    ? `${resource.type} ${resource.physicalId}`
    : `${resource.stackName}/${resource.logicalId}`;
}

/** A resource as compared: a version without its logical id (see keyOf) or the code hash CDK may set on it. */
function comparable(resource: LocalResource): unknown {
  if (resource.type !== 'AWS::Lambda::Version') return resource;
  const { logicalId: _logicalId, ...rest } = resource;
  return { ...rest, properties: { ...resource.properties, CodeSha256: undefined } };
}

/**
 * The resource types whose resources differ between two synths of an app: added, removed or changed. A
 * function whose bundle changed (a new asset path) shows as `AWS::Lambda::Function` alone, so it reloads as a
 * function, not as a change of the template; a new route shows as the gateway's types; nothing changed is
 * the empty set.
 */
export function changedResourceTypes(previous: LocalCloudModel, next: LocalCloudModel): Set<string> {
  const before = new Map(previous.resources.map((r) => [keyOf(r), r]));
  const after = new Map(next.resources.map((r) => [keyOf(r), r]));
  const changed = new Set<string>();
  for (const [key, resource] of after) {
    const old = before.get(key);
    if (old === undefined || JSON.stringify(comparable(old)) !== JSON.stringify(comparable(resource))) {
      changed.add(resource.type);
      if (old !== undefined) changed.add(old.type);
    }
  }
  for (const [key, resource] of before) if (!after.has(key)) changed.add(resource.type);
  return changed;
}
