import type { LocalCloudModel, LocalResource } from '../model';

/** One AWS::ApiGateway::Resource (or the root), with its full path template. */
export interface ApiResourceNode {
  readonly id: string;
  /** e.g. `/orders/{orderId}`; `/` for the root. */
  readonly path: string;
  readonly pathPart: string;
  readonly children: ApiResourceNode[];
  /** Methods keyed by upper-case HTTP method (`ANY` included). */
  readonly methods: Map<string, LocalResource>;
}

/** One stage, from AWS::ApiGateway::Stage or a Deployment's StageName. */
export interface ApiStage {
  readonly name: string;
  /** The Stage resource's physicalId (what `Ref` to it resolved to), when it is a Stage resource. */
  readonly physicalId?: string;
  readonly deploymentId: string;
  readonly variables: Record<string, string>;
  readonly methodSettings: readonly MethodSetting[];
}

/** A stage MethodSettings entry (`ResourcePath` uses `~1` for `/`, `/*` and `*` as wildcards). */
export interface MethodSetting {
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
}

/** Everything about one REST API the emulator needs, read from the template resources. */
export interface RestApiDefinition {
  readonly restApi: LocalResource;
  readonly apiId: string;
  readonly name: string;
  readonly root: ApiResourceNode;
  readonly stages: ReadonlyMap<string, ApiStage>;
  /** `HEADER` (x-api-key) or `AUTHORIZER` (usageIdentifierKey). */
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  readonly binaryMediaTypes: readonly string[];
  /** RequestValidator, Model, Authorizer resources by physicalId. */
  readonly validators: ReadonlyMap<string, LocalResource>;
  readonly models: ReadonlyMap<string, LocalResource>;
  readonly authorizers: ReadonlyMap<string, LocalResource>;
  /** GatewayResponse resources by ResponseType. */
  readonly gatewayResponses: ReadonlyMap<string, LocalResource>;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([k, v]) => [k, String(v)]));
}

function methodSettings(value: unknown): MethodSetting[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const setting = record(entry);
    return {
      resourcePath: str(setting.ResourcePath) ?? '/*',
      httpMethod: (str(setting.HttpMethod) ?? '*').toUpperCase(),
      throttlingRateLimit: num(setting.ThrottlingRateLimit),
      throttlingBurstLimit: num(setting.ThrottlingBurstLimit),
    };
  });
}

/** The `AuthorizationScopes` of an AWS::ApiGateway::Method (empty when it has none). */
export function authorizationScopesOf(method: LocalResource): string[] {
  const scopes = method.properties.AuthorizationScopes;
  return Array.isArray(scopes) ? scopes.map(String) : [];
}

/** Finds the RestApi whose logicalId or physicalId is `restApiId`. */
export function findRestApi(model: LocalCloudModel, restApiId: string): LocalResource {
  const api = model.resources.find(
    (r) => r.type === 'AWS::ApiGateway::RestApi' && (r.logicalId === restApiId || r.physicalId === restApiId),
  );
  if (!api)
    throw new Error(`no AWS::ApiGateway::RestApi with logical or physical id '${restApiId}' in the model`);
  return api;
}

/** Reads the resource tree, stages, validators, models, authorizers and gateway responses of one REST API. */
export function readRestApiDefinition(model: LocalCloudModel, restApiId: string): RestApiDefinition {
  const restApi = findRestApi(model, restApiId);
  const apiId = restApi.physicalId;
  const own = (type: string): LocalResource[] =>
    model.resources.filter((r) => r.type === type && r.properties.RestApiId === apiId);
  const byPhysicalId = (type: string): Map<string, LocalResource> =>
    new Map(own(type).map((r) => [r.physicalId, r]));

  const resources = own('AWS::ApiGateway::Resource');
  const resourceIds = new Set(resources.map((r) => r.physicalId));
  // The root is RestApi.RootResourceId; a loader that does not expose it still leaves an unknown parent id.
  const rootId =
    restApi.attributes.RootResourceId ??
    resources.map((r) => String(r.properties.ParentId)).find((parent) => !resourceIds.has(parent)) ??
    `${apiId}-root`;
  const nodes = new Map<string, ApiResourceNode>();
  const root: ApiResourceNode = { id: rootId, path: '/', pathPart: '', children: [], methods: new Map() };
  nodes.set(rootId, root);
  const build = (id: string): ApiResourceNode | undefined => {
    const existing = nodes.get(id);
    if (existing) return existing;
    const resource = resources.find((r) => r.physicalId === id);
    if (!resource) return undefined;
    const parent = build(String(resource.properties.ParentId));
    if (!parent) return undefined;
    const pathPart = String(resource.properties.PathPart);
    const node: ApiResourceNode = {
      id,
      path: `${parent.path === '/' ? '' : parent.path}/${pathPart}`,
      pathPart,
      children: [],
      methods: new Map(),
    };
    parent.children.push(node);
    nodes.set(id, node);
    return node;
  };
  for (const resource of resources) build(resource.physicalId);
  for (const method of own('AWS::ApiGateway::Method')) {
    const node = nodes.get(String(method.properties.ResourceId));
    if (node) node.methods.set(String(method.properties.HttpMethod).toUpperCase(), method);
  }

  const stages = new Map<string, ApiStage>();
  for (const deployment of own('AWS::ApiGateway::Deployment')) {
    const stageName = str(deployment.properties.StageName);
    if (stageName) {
      const description = record(deployment.properties.StageDescription);
      stages.set(stageName, {
        name: stageName,
        deploymentId: deployment.physicalId,
        variables: stringRecord(description.Variables),
        methodSettings: methodSettings(description.MethodSettings),
      });
    }
  }
  for (const stage of own('AWS::ApiGateway::Stage')) {
    const name = str(stage.properties.StageName) ?? stage.physicalId;
    stages.set(name, {
      name,
      physicalId: stage.physicalId,
      deploymentId: str(stage.properties.DeploymentId) ?? '',
      variables: stringRecord(stage.properties.Variables),
      methodSettings: methodSettings(stage.properties.MethodSettings),
    });
  }

  const models = byPhysicalId('AWS::ApiGateway::Model');
  // Methods name models by Ref (the model name in CloudFormation); accept the Name property as well.
  for (const m of own('AWS::ApiGateway::Model')) {
    const name = str(m.properties.Name);
    if (name) models.set(name, m);
  }

  return {
    restApi,
    apiId,
    name: str(restApi.properties.Name) ?? restApi.logicalId,
    root,
    stages,
    apiKeySource: restApi.properties.ApiKeySourceType === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
    binaryMediaTypes: Array.isArray(restApi.properties.BinaryMediaTypes)
      ? restApi.properties.BinaryMediaTypes.map(String)
      : [],
    validators: byPhysicalId('AWS::ApiGateway::RequestValidator'),
    models,
    authorizers: byPhysicalId('AWS::ApiGateway::Authorizer'),
    gatewayResponses: new Map(
      own('AWS::ApiGateway::GatewayResponse').map((r) => [String(r.properties.ResponseType), r]),
    ),
  };
}
