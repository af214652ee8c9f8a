import type { LocalCloudModel, LocalResource } from '../../model';

function resourcesOf(model: LocalCloudModel, type: string, restApiId: string): LocalResource[] {
  return model.resources.filter(
    (resource) => resource.type === type && resource.properties.RestApiId === restApiId,
  );
}

/** The stage variables of a deployed stage (`{}` when it has none), as `stageVariables` carries them. */
export function stageVariablesOf(
  model: LocalCloudModel,
  restApiId: string,
  stage: string,
): Record<string, string> {
  const resource = resourcesOf(model, 'AWS::ApiGateway::Stage', restApiId).find(
    (candidate) => candidate.properties.StageName === stage,
  );
  const variables = resource?.properties.Variables;
  if (typeof variables !== 'object' || variables === null) return {};
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)]));
}

/**
 * The `AuthorizationScopes` of the method serving `httpMethod` on `resourcePath` (an `ANY` method
 * when there is no exact one), found by walking the template's resource tree.
 */
export function methodAuthorizationScopes(
  model: LocalCloudModel,
  restApiId: string,
  httpMethod: string,
  resourcePath: string,
): string[] {
  const api = model.resources.find(
    (resource) => resource.type === 'AWS::ApiGateway::RestApi' && resource.physicalId === restApiId,
  );
  const paths = new Map<string, string>();
  if (api?.attributes.RootResourceId !== undefined) paths.set(api.attributes.RootResourceId, '/');
  const pending = resourcesOf(model, 'AWS::ApiGateway::Resource', restApiId);
  // Parents may come after children in the template: resolve until nothing more resolves.
  let resolved = true;
  while (resolved) {
    resolved = false;
    for (const resource of pending) {
      if (paths.has(resource.physicalId)) continue;
      const parentPath = paths.get(String(resource.properties.ParentId));
      if (parentPath === undefined) continue;
      paths.set(
        resource.physicalId,
        `${parentPath === '/' ? '' : parentPath}/${String(resource.properties.PathPart)}`,
      );
      resolved = true;
    }
  }
  const methods = resourcesOf(model, 'AWS::ApiGateway::Method', restApiId).filter(
    (method) => paths.get(String(method.properties.ResourceId)) === resourcePath,
  );
  const method =
    methods.find(
      (candidate) => String(candidate.properties.HttpMethod).toUpperCase() === httpMethod.toUpperCase(),
    ) ?? methods.find((candidate) => candidate.properties.HttpMethod === 'ANY');
  const scopes = method?.properties.AuthorizationScopes;
  return Array.isArray(scopes) ? scopes.map(String) : [];
}
