import { functionArnOfInvocationUri } from '../gateway/lambda-integration-uri';
import type { LocalCloudModel, LocalResource } from '../model';

/** The integration timeout when the template sets none (also AWS's default maximum). */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

/** One AWS::ApiGateway::Resource (or the root), with its full path template. */
export interface ApiResourceNode {
  readonly id: string;
  /** e.g. `/orders/{orderId}`; `/` for the root. */
  readonly path: string;
  readonly pathPart: string;
  readonly children: ApiResourceNode[];
  /** Methods keyed by upper-case HTTP method (`ANY` included). */
  readonly methods: Map<string, RestMethodDefinition>;
}

/** One IntegrationResponses entry of a non-proxy integration. */
export interface IntegrationResponseDefinition {
  readonly statusCode: number;
  /** Matched against the status code (MOCK, AWS) or the error message (Lambda); none = the default response. */
  readonly selectionPattern?: string;
  /** `method.response.header.X` → mapping expression. */
  readonly responseParameters: Readonly<Record<string, string>>;
  /** Content type → VTL template. */
  readonly responseTemplates: Readonly<Record<string, string>>;
}

/** A method's `Integration`. */
export interface RestIntegrationDefinition {
  /** Upper-case `Integration.Type` (`AWS_PROXY`, `AWS`, `MOCK`, …); empty when the method has none. */
  readonly type: string;
  readonly uri?: string;
  /** The function a Lambda invocation `Uri` names. */
  readonly functionArn?: string;
  /** The role the integration calls with (logged, not enforced). */
  readonly credentials?: string;
  /** Upper-case `IntegrationHttpMethod`: the method an `AWS` integration calls a path-style service with. */
  readonly httpMethod?: string;
  /** `TimeoutInMillis`, default 29 s. */
  readonly timeoutMs: number;
  /** Upper-case, default `WHEN_NO_MATCH`. */
  readonly passthroughBehavior: string;
  readonly requestTemplates: Readonly<Record<string, string>>;
  /** `integration.request.X` → mapping expression. */
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly responses: readonly IntegrationResponseDefinition[];
  /** `method.request.{header|querystring|path|multivalue…}.X` parameters that key the stage cache. */
  readonly cacheKeyParameters: readonly string[];
}

/** One AWS::ApiGateway::Method. */
export interface RestMethodDefinition {
  readonly id: string;
  readonly logicalId: string;
  /** Upper-case, `ANY` included. */
  readonly httpMethod: string;
  /** `NONE` | `AWS_IAM` | `COGNITO_USER_POOLS` | `CUSTOM` (upper-case). */
  readonly authorizationType: string;
  readonly authorizerId?: string;
  readonly authorizationScopes: readonly string[];
  readonly apiKeyRequired: boolean;
  readonly requestValidatorId?: string;
  /** `method.request.X` → required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** Content type → model name. */
  readonly requestModels: Readonly<Record<string, string>>;
  readonly integration: RestIntegrationDefinition;
}

/** One AWS::ApiGateway::Authorizer. */
export interface RestAuthorizerDefinition {
  readonly id: string;
  /** Keys the authorizer's result cache, as a name would. */
  readonly logicalId: string;
  /** Upper-case `TOKEN` (the default), `REQUEST` or `COGNITO_USER_POOLS`. */
  readonly type: string;
  /** The raw `IdentitySource` (one expression, or a comma-separated list for REQUEST). */
  readonly identitySource?: string;
  readonly identityValidationExpression?: string;
  /** The function an `AuthorizerUri` names (TOKEN, REQUEST). */
  readonly functionArn?: string;
  /** `AuthorizerResultTtlInSeconds` (default 300); 0 caches nothing. */
  readonly resultTtlSeconds: number;
  /** User pool ARNs (COGNITO_USER_POOLS). */
  readonly providerArns: readonly string[];
}

/** One AWS::ApiGateway::RequestValidator. */
export interface RequestValidatorDefinition {
  readonly id: string;
  readonly validateRequestBody: boolean;
  readonly validateRequestParameters: boolean;
}

/** One AWS::ApiGateway::Model. */
export interface ModelDefinition {
  /** Keys the compiled-schema cache. */
  readonly id: string;
  /** The JSON schema (CloudFormation takes an object or a JSON string; a string that is no JSON stays a string). */
  readonly schema: unknown;
}

/** One AWS::ApiGateway::GatewayResponse. */
export interface GatewayResponseDefinition {
  readonly responseType: string;
  readonly statusCode?: number;
  readonly responseParameters: Readonly<Record<string, string>>;
  readonly responseTemplates?: Readonly<Record<string, string>>;
}

/** One stage, from AWS::ApiGateway::Stage or a Deployment's StageName. */
export interface ApiStage {
  readonly name: string;
  /** The Stage resource's physicalId (what `Ref` to it resolved to), when it is a Stage resource. */
  readonly physicalId?: string;
  readonly deploymentId: string;
  readonly variables: Record<string, string>;
  readonly methodSettings: readonly MethodSetting[];
  /** `CacheClusterEnabled`: without a cluster no method caches, whatever its settings. */
  readonly cacheClusterEnabled: boolean;
  /** `CacheClusterSize` in GB (`0.5`, `1.6`, …), as the template gives it. */
  readonly cacheClusterSize?: string;
}

/** A stage MethodSettings entry (`ResourcePath` uses `~1` for `/`, `/*` and `*` as wildcards). */
export interface MethodSetting {
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
  readonly cachingEnabled?: boolean;
  readonly cacheTtlInSeconds?: number;
  readonly cacheDataEncrypted?: boolean;
}

/** Everything about one REST API the emulator needs, read from the template resources once at start. */
export interface RestApiDefinition {
  readonly restApi: LocalResource;
  readonly apiId: string;
  readonly name: string;
  readonly root: ApiResourceNode;
  readonly stages: ReadonlyMap<string, ApiStage>;
  /** `HEADER` (x-api-key) or `AUTHORIZER` (usageIdentifierKey). */
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  readonly binaryMediaTypes: readonly string[];
  /** By physicalId (models also by Name, as methods name them). */
  readonly validators: ReadonlyMap<string, RequestValidatorDefinition>;
  readonly models: ReadonlyMap<string, ModelDefinition>;
  readonly authorizers: ReadonlyMap<string, RestAuthorizerDefinition>;
  /** By ResponseType. */
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
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

/** Template booleans arrive as JSON values or, after a Join/Sub, as strings. */
function bool(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** Only the string-valued entries (templates, mapping expressions). */
function stringsOnly(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
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
      cachingEnabled: bool(setting.CachingEnabled),
      cacheTtlInSeconds: num(setting.CacheTtlInSeconds),
      cacheDataEncrypted: bool(setting.CacheDataEncrypted),
    };
  });
}

/** Reads a method's `Integration` property. */
export function parseIntegration(value: unknown): RestIntegrationDefinition {
  const integration = record(value);
  const uri = str(integration.Uri);
  const functionArn = functionArnOfInvocationUri(uri);
  const credentials = integration.Credentials === undefined ? undefined : String(integration.Credentials);
  const httpMethod = str(integration.IntegrationHttpMethod)?.toUpperCase();
  return {
    type: String(integration.Type ?? '').toUpperCase(),
    ...(uri === undefined ? {} : { uri }),
    ...(functionArn === undefined ? {} : { functionArn }),
    ...(credentials === undefined ? {} : { credentials }),
    ...(httpMethod === undefined ? {} : { httpMethod }),
    timeoutMs:
      Number(integration.TimeoutInMillis ?? DEFAULT_INTEGRATION_TIMEOUT_MS) || DEFAULT_INTEGRATION_TIMEOUT_MS,
    passthroughBehavior: String(integration.PassthroughBehavior ?? 'WHEN_NO_MATCH').toUpperCase(),
    requestTemplates: stringsOnly(integration.RequestTemplates),
    requestParameters: stringsOnly(integration.RequestParameters),
    responses: (Array.isArray(integration.IntegrationResponses) ? integration.IntegrationResponses : []).map(
      (entry): IntegrationResponseDefinition => {
        const response = record(entry);
        const pattern = response.SelectionPattern;
        return {
          statusCode: Number(response.StatusCode ?? 200),
          ...(pattern === undefined || pattern === '' ? {} : { selectionPattern: String(pattern) }),
          responseParameters: stringsOnly(response.ResponseParameters),
          responseTemplates: stringsOnly(response.ResponseTemplates),
        };
      },
    ),
    cacheKeyParameters: Array.isArray(integration.CacheKeyParameters)
      ? integration.CacheKeyParameters.map(String)
      : [],
  };
}

/** Reads one AWS::ApiGateway::Method. */
export function parseRestMethod(method: LocalResource): RestMethodDefinition {
  const p = method.properties;
  const authorizerId = str(p.AuthorizerId);
  const requestValidatorId = str(p.RequestValidatorId);
  return {
    id: method.physicalId,
    logicalId: method.logicalId,
    httpMethod: String(p.HttpMethod ?? 'ANY').toUpperCase(),
    authorizationType: String(p.AuthorizationType ?? 'NONE').toUpperCase(),
    ...(authorizerId === undefined ? {} : { authorizerId }),
    authorizationScopes: Array.isArray(p.AuthorizationScopes) ? p.AuthorizationScopes.map(String) : [],
    apiKeyRequired: bool(p.ApiKeyRequired) === true,
    ...(requestValidatorId === undefined ? {} : { requestValidatorId }),
    requestParameters: Object.fromEntries(
      Object.entries(record(p.RequestParameters)).map(([name, required]) => [name, bool(required) === true]),
    ),
    requestModels: stringsOnly(p.RequestModels),
    integration: parseIntegration(p.Integration),
  };
}

const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

/** Reads one AWS::ApiGateway::Authorizer. */
export function parseRestAuthorizer(authorizer: LocalResource): RestAuthorizerDefinition {
  const p = authorizer.properties;
  const identitySource = Array.isArray(p.IdentitySource)
    ? p.IdentitySource.map(String).join(',')
    : str(p.IdentitySource);
  const identityValidationExpression = str(p.IdentityValidationExpression);
  const functionArn = functionArnOfInvocationUri(p.AuthorizerUri);
  const ttl = Number(p.AuthorizerResultTtlInSeconds ?? DEFAULT_AUTHORIZER_TTL_SECONDS);
  return {
    id: authorizer.physicalId,
    logicalId: authorizer.logicalId,
    type: String(p.Type ?? 'TOKEN').toUpperCase(),
    ...(identitySource === undefined ? {} : { identitySource }),
    ...(identityValidationExpression === undefined ? {} : { identityValidationExpression }),
    ...(functionArn === undefined ? {} : { functionArn }),
    resultTtlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : 0,
    providerArns: Array.isArray(p.ProviderARNs) ? p.ProviderARNs.map(String) : [],
  };
}

/** Reads one AWS::ApiGateway::RequestValidator. */
export function parseRequestValidator(validator: LocalResource): RequestValidatorDefinition {
  return {
    id: validator.physicalId,
    validateRequestBody: validator.properties.ValidateRequestBody === true,
    validateRequestParameters: validator.properties.ValidateRequestParameters === true,
  };
}

/** Reads one AWS::ApiGateway::Model; a JSON-string schema is parsed here, once. */
export function parseModel(model: LocalResource): ModelDefinition {
  const raw = model.properties.Schema;
  let schema: unknown = raw ?? {};
  if (typeof raw === 'string') {
    try {
      schema = JSON.parse(raw) as unknown;
    } catch {
      schema = raw;
    }
  }
  return { id: model.physicalId, schema };
}

/** Reads one AWS::ApiGateway::GatewayResponse. */
export function parseGatewayResponse(response: LocalResource): GatewayResponseDefinition {
  const p = response.properties;
  const statusCode = Number(p.StatusCode);
  return {
    responseType: String(p.ResponseType),
    ...(p.StatusCode !== undefined && Number.isInteger(statusCode) ? { statusCode } : {}),
    responseParameters: stringsOnly(p.ResponseParameters),
    ...(p.ResponseTemplates === undefined ? {} : { responseTemplates: stringsOnly(p.ResponseTemplates) }),
  };
}

function cacheSize(value: unknown): { cacheClusterSize?: string } {
  return value === undefined ? {} : { cacheClusterSize: String(value) };
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
  const byPhysicalId = <T>(type: string, parse: (resource: LocalResource) => T): Map<string, T> =>
    new Map(own(type).map((r) => [r.physicalId, parse(r)]));

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
    if (node) node.methods.set(String(method.properties.HttpMethod).toUpperCase(), parseRestMethod(method));
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
        cacheClusterEnabled: bool(description.CacheClusterEnabled) === true,
        ...cacheSize(description.CacheClusterSize),
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
      cacheClusterEnabled: bool(stage.properties.CacheClusterEnabled) === true,
      ...cacheSize(stage.properties.CacheClusterSize),
    });
  }

  const models = byPhysicalId('AWS::ApiGateway::Model', parseModel);
  // Methods name models by Ref (the model name in CloudFormation); accept the Name property as well.
  for (const m of own('AWS::ApiGateway::Model')) {
    const name = str(m.properties.Name);
    if (name) models.set(name, parseModel(m));
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
    validators: byPhysicalId('AWS::ApiGateway::RequestValidator', parseRequestValidator),
    models,
    authorizers: byPhysicalId('AWS::ApiGateway::Authorizer', parseRestAuthorizer),
    gatewayResponses: new Map(
      own('AWS::ApiGateway::GatewayResponse').map((r) => [
        String(r.properties.ResponseType),
        parseGatewayResponse(r),
      ]),
    ),
  };
}
