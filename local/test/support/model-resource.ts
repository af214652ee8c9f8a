import type { LocalResource } from '../../model';

/** Builds one resource of a hand-written model, as the template loader would give it. */
export type ResourceBuilder = (
  logicalId: string,
  type: string,
  physicalId: string,
  properties: Record<string, unknown>,
  attributes?: Record<string, string>,
) => LocalResource;

/**
 * The builder of a hand-written model's resources, all in stack `stackName`: for tests that give a service a
 * model directly rather than synthesizing a CDK app.
 */
export function resourcesIn(stackName: string): ResourceBuilder {
  return (logicalId, type, physicalId, properties, attributes = {}) => ({
    stackName,
    logicalId,
    type,
    physicalId,
    properties,
    attributes,
  });
}
