import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiKeyStore, type KeyGrant } from '../api-keys/api-key-store';
import { readBodyWithin } from '../gateway/request-body';
import { UsageMeter } from '../gateway/usage-meter';
import { loopbackServer } from '../loopback-server';
import { type LambdaInvoker, LambdaRequestTooLargeError, type LocalCloudModel } from '../model';
import { noteStageCache, type RequestRecorder, recordedListener } from '../request-records';
import { CallTimeout, withTimeout } from '../timeout';
import { type GatewayError, gatewayResponse } from './gateway-response-rendering';
import { INTEGRATIONS } from './integrations/integration-registry';
import type { AwsServiceAccess } from './integrations/rest-integration';
import {
  baseIdentity,
  formatRequestTime,
  headerPairs,
  type RestIncomingRequest,
  singleAndMulti,
  withGatewayHeaders,
} from './proxy-event';
import { RequestValidation } from './request-validation';
import {
  type ApiResourceNode,
  type ApiStage,
  type MethodSetting,
  type RestApiDefinition,
  readRestApiDefinition,
} from './rest-api-definition';
import type { RestAuthorizers } from './rest-authorization';
import type { RestResponse } from './rest-response';
import { setHeader } from './rest-response';
import { matchRoute, type RouteMatch } from './route-matcher';
import { mostSpecificSetting, StageCaches } from './stage-cache';

/** API Gateway's REST payload limit (fixed, not raisable). */
export const MAX_REST_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Options of `createRestApiServer`. */
export interface RestApiServerOptions {
  readonly model: LocalCloudModel;
  /** The RestApi's logical id or physical id. */
  readonly restApiId: string;
  readonly invoker: LambdaInvoker;
  readonly authorizers: RestAuthorizers;
  readonly region: string;
  readonly accountId: string;
  /** Shared with the other REST APIs and the control plane; @default a store loaded from `model` */
  readonly apiKeys?: ApiKeyStore;
  /** Throttling/quota state; @default a meter on the wall clock */
  readonly meter?: UsageMeter;
  /** Where problems are logged; @default console.log */
  readonly log?: (line: string) => void;
  /** Receives one record per request the listener served (the access log). */
  readonly onRequest?: RequestRecorder;
  /** Where `AWS` integrations reach AWS services; @default none (they answer 500) */
  readonly awsServices?: AwsServiceAccess;
  /** The stage caches, shared with the control plane (FlushStageCache); @default this API's own */
  readonly stageCaches?: StageCaches;
}

/** A request for one stage: `path` is the part after `/<stage>`. */
export interface StagedRequest extends RestIncomingRequest {
  readonly stage: string;
}

/** One REST API served on its own port, at `http://127.0.0.1:PORT/<stage>/<path>`. */
export interface RestApiServer {
  /** The API's id (its physicalId), as in `https://{id}.execute-api...`. */
  readonly apiId: string;
  /** The API as read from the template at start. */
  readonly definition: RestApiDefinition;
  /** Starts listening; resolves to the base URL (without stage). */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** `METHOD /path: reason` for every method whose integration is not emulated (also logged at creation). */
  readonly unsupportedIntegrations: readonly string[];
  /** Runs the whole API Gateway pipeline for one request (what the HTTP listener calls). */
  handle(request: StagedRequest): Promise<RestResponse>;
  /** Re-reads the API's definition from a re-synthesized model; the listener, meter and keys stay. */
  reload(model: LocalCloudModel): void;
}

/** What every step of one request shares. */
interface RequestScope {
  readonly request: StagedRequest;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly startedAt: number;
  readonly stage?: ApiStage;
  readonly route?: RouteMatch;
  readonly singleHeaders: Record<string, string>;
  readonly singleQuery: Record<string, string>;
  authorizer?: Record<string, unknown>;
  identity: Record<string, string | null>;
  authorizerCache?: 'hit' | 'miss';
  /** The caller may `execute-api:InvalidateCache`. */
  mayInvalidateCache?: boolean;
  stageCache?: 'hit' | 'miss';
  /** The function an integration invoked. */
  functionName?: string;
  /** The integration produced the response (not a gateway error such as a timeout): it may be cached. */
  integrationAnswered?: boolean;
}

/** The stage MethodSettings that apply to a method: the most specific entry carrying throttle limits. */
function throttleSetting(
  stage: ApiStage,
  resourcePath: string,
  httpMethod: string,
): MethodSetting | undefined {
  return mostSpecificSetting(
    stage.methodSettings,
    resourcePath,
    httpMethod,
    (s) => s.throttlingRateLimit !== undefined || s.throttlingBurstLimit !== undefined,
  );
}

/** The value a cache key parameter (`method.request.{header|querystring|path|multivalue…}.X`) has. */
function cacheKeyValue(
  parameter: string,
  request: StagedRequest,
  pathParameters: Record<string, string>,
): unknown {
  const [, location, name = ''] =
    /^method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.(.+)$/.exec(
      parameter,
    ) ?? [];
  switch (location) {
    case 'header':
      return request.headers[name.toLowerCase()]?.at(-1) ?? null;
    case 'multivalueheader':
      return request.headers[name.toLowerCase()] ?? null;
    case 'querystring':
      return request.query[name]?.at(-1) ?? null;
    case 'multivaluequerystring':
      return request.query[name] ?? null;
    case 'path':
      return pathParameters[name] ?? null;
    default:
      return null;
  }
}

/** `Cache-Control: max-age=0` on the request: the caller asks for a refetch (and a fresh cache entry). */
function asksForRefetch(request: StagedRequest): boolean {
  return (request.headers['cache-control'] ?? []).some((value) =>
    /(?:^|[\s,])max-age\s*=\s*0(?:$|[\s,])/i.test(value),
  );
}

/** What the `SUCCEED_WITH_RESPONSE_HEADER` strategy adds (AWS's exact wording is UNCONFIRMED). */
const IGNORED_CACHE_CONTROL_WARNING =
  '199 - "Cache-Control: max-age=0 was ignored: the caller is not allowed execute-api:InvalidateCache"';

/** The function name of a function ARN (`arn:aws:lambda:r:a:function:NAME[:qualifier]`). */
function functionNameOf(functionArn: string): string {
  return /:function:([^:]+)/.exec(functionArn)?.[1] ?? functionArn;
}

/** Creates the emulator of one AWS::ApiGateway::RestApi of the model. */
export function createRestApiServer(options: RestApiServerOptions): RestApiServer {
  let definition: RestApiDefinition = readRestApiDefinition(options.model, options.restApiId);
  const apiKeys = options.apiKeys ?? ApiKeyStore.fromModel(options.model);
  const meter = options.meter ?? new UsageMeter();
  const stageCaches = options.stageCaches ?? new StageCaches();
  for (const stage of definition.stages.values()) stageCaches.registerStage(definition.apiId, stage.name);
  const log = options.log ?? ((line: string) => console.log(line));
  const validation = new RequestValidation();
  const awsServices = options.awsServices ?? {
    endpoints: {},
    credentials: { accessKeyId: '', secretAccessKey: '' },
  };
  let unsupportedIntegrations = unsupportedIntegrationsOf(definition.root);
  for (const line of unsupportedIntegrations) log(`${definition.name}: not emulated: ${line}`);

  const respondError = (scope: RequestScope, error: GatewayError): RestResponse =>
    gatewayResponse(error, {
      gatewayResponses: definition.gatewayResponses,
      context: vtlContext(scope),
      sources: {
        requestHeaders: scope.singleHeaders,
        requestQuery: scope.singleQuery,
        requestPath: scope.route?.pathParameters ?? {},
        stageVariables: scope.stage?.variables ?? {},
      },
      accept: scope.request.headers.accept?.at(-1),
    });

  const vtlContext = (scope: RequestScope): Record<string, unknown> => ({
    requestId: scope.requestId,
    extendedRequestId: scope.extendedRequestId,
    accountId: options.accountId,
    apiId: definition.apiId,
    stage: scope.request.stage,
    httpMethod: scope.request.method.toUpperCase(),
    resourcePath: scope.route?.resource.path,
    resourceId: scope.route?.resource.id,
    path: `/${scope.request.stage}${scope.request.path}`,
    protocol: 'HTTP/1.1',
    requestTime: formatRequestTime(scope.startedAt),
    requestTimeEpoch: scope.startedAt,
    domainName: scope.request.headers.host?.at(-1),
    authorizer: scope.authorizer ?? {},
    identity: scope.identity,
    requestOverride: { header: {}, querystring: {}, path: {} },
    responseOverride: { header: {}, status: null },
  });

  /** Authorizer, API key + usage plan, then request validation; a GatewayError stops the request. */
  async function admit(
    scope: RequestScope,
    route: RouteMatch,
    stage: ApiStage,
  ): Promise<GatewayError | undefined> {
    const { method } = route;
    const httpMethod = scope.request.method.toUpperCase();
    if (
      !meter.take(
        `${definition.apiId}/${stage.name} ${route.resource.path} ${httpMethod}`,
        toThrottle(throttleSetting(stage, route.resource.path, httpMethod)),
      )
    ) {
      return { responseType: 'THROTTLED' };
    }
    const { authorizationType } = method;
    let usageIdentifierKey: string | undefined;
    if (authorizationType !== 'NONE') {
      const { authorizerId } = method;
      const result = await options.authorizers.authorize({
        restApiId: definition.apiId,
        stage: stage.name,
        authorizationType,
        authorizer: authorizerId === undefined ? undefined : definition.authorizers.get(authorizerId),
        methodArn: `arn:aws:execute-api:${options.region}:${options.accountId}:${definition.apiId}/${stage.name}/${httpMethod}/${scope.request.path.replace(/^\//, '')}`,
        resourcePath: route.resource.path,
        pathParameters: route.pathParameters,
        stageVariables: stage.variables,
        authorizationScopes: method.authorizationScopes,
        request: scope.request,
        requestId: scope.requestId,
        requestContextIds: {
          resourceId: route.resource.id,
          deploymentId: stage.deploymentId,
          extendedRequestId: scope.extendedRequestId,
        },
      });
      if (!result.ok) {
        return { responseType: result.responseType, statusCode: result.statusCode, message: result.message };
      }
      scope.authorizer = result.authorizer;
      scope.identity = { ...scope.identity, ...(result.identity ?? {}) };
      scope.authorizerCache = result.authorizerCache;
      scope.mayInvalidateCache = result.mayInvalidateCache === true;
      usageIdentifierKey = result.usageIdentifierKey;
    }
    if (method.apiKeyRequired) {
      const value =
        definition.apiKeySource === 'AUTHORIZER'
          ? usageIdentifierKey
          : scope.request.headers['x-api-key']?.at(-1);
      const grant = apiKeys.authorize(value, definition.apiId, [
        stage.name,
        ...(stage.physicalId ? [stage.physicalId] : []),
      ]);
      if (!grant) return { responseType: 'INVALID_API_KEY' };
      scope.identity = { ...scope.identity, apiKey: grant.key.value, apiKeyId: grant.key.id };
      const limited = meterKey(grant, route.resource.path, httpMethod);
      if (limited) return limited;
    }
    return validation.validate({
      method: route.method,
      validators: definition.validators,
      models: definition.models,
      headers: scope.request.headers,
      query: scope.request.query,
      pathParameters: route.pathParameters,
      body: scope.request.body,
    });
  }

  function meterKey(grant: KeyGrant, resourcePath: string, httpMethod: string): GatewayError | undefined {
    const client = `${grant.plan.id}/${grant.key.id}`;
    const methodThrottle = grant.planStage.methodThrottles[`${resourcePath}/${httpMethod}`];
    if (methodThrottle && !meter.take(`${client} ${resourcePath} ${httpMethod}`, methodThrottle)) {
      return { responseType: 'THROTTLED' };
    }
    if (!meter.take(client, grant.plan.throttle)) return { responseType: 'THROTTLED' };
    if (!meter.consume(client, grant.plan.quota)) return { responseType: 'QUOTA_EXCEEDED' };
    return undefined;
  }

  async function integrate(scope: RequestScope, route: RouteMatch, stage: ApiStage): Promise<RestResponse> {
    const { integration } = route.method;
    const { type, timeoutMs } = integration;
    if (integration.functionArn !== undefined) scope.functionName = functionNameOf(integration.functionArn);
    const runner = INTEGRATIONS[type];
    if (!runner) {
      log(
        `${definition.name}: integration type ${type || '(none)'} on ${route.resource.path} is not emulated`,
      );
      return respondError(scope, { responseType: 'API_CONFIGURATION_ERROR' });
    }
    const running = runner.run({
      definition,
      stage,
      route,
      integration,
      request: scope.request,
      requestId: scope.requestId,
      extendedRequestId: scope.extendedRequestId,
      startedAt: scope.startedAt,
      timeoutMs,
      authorizer: scope.authorizer,
      identity: scope.identity,
      vtlContext: vtlContext(scope),
      sources: {
        requestHeaders: scope.singleHeaders,
        requestQuery: scope.singleQuery,
        requestPath: route.pathParameters,
        stageVariables: stage.variables,
      },
      region: options.region,
      accountId: options.accountId,
      invoker: options.invoker,
      awsServices,
      log,
    });
    let outcome: Awaited<typeof running>;
    try {
      outcome = await withTimeout(running, timeoutMs);
    } catch (error) {
      if (error instanceof CallTimeout) {
        // The backend may still finish; API Gateway has answered by then, and so do we.
        running.catch(() => undefined);
        log(
          `${definition.name}: integration on ${route.resource.path} did not answer within ${timeoutMs} ms`,
        );
        return respondError(scope, { responseType: 'INTEGRATION_TIMEOUT' });
      }
      // Lambda refused the Invoke (event over its 6 MB limit): the function never ran.
      if (error instanceof LambdaRequestTooLargeError) {
        log(
          `${definition.name}: the Lambda event for ${route.resource.path} is ${error.size} bytes: ${error.message}`,
        );
        return respondError(scope, { responseType: 'REQUEST_TOO_LARGE' });
      }
      throw error;
    }
    scope.integrationAnswered = 'response' in outcome;
    return 'response' in outcome ? outcome.response : respondError(scope, outcome.error);
  }

  async function handle(request: StagedRequest): Promise<RestResponse> {
    const startedAt = Date.now();
    const stage = definition.stages.get(request.stage);
    const route = stage ? matchRoute(definition.root, request.method, request.path) : undefined;
    const scope: RequestScope = {
      request,
      requestId: randomUUID(),
      extendedRequestId: Buffer.from(randomUUID().replace(/-/g, '').slice(0, 12), 'hex').toString('base64'),
      startedAt,
      stage,
      route,
      singleHeaders: singleAndMulti(headerPairs(request)).single,
      singleQuery: Object.fromEntries(
        Object.entries(request.query).flatMap(([name, values]) => {
          const last = values.at(-1);
          return last === undefined ? [] : [[name, last]];
        }),
      ),
      identity: baseIdentity(request.sourceIp, request.headers['user-agent']?.at(-1)),
    };
    let response: RestResponse;
    try {
      if (!stage || !route) {
        response = respondError(scope, { responseType: 'MISSING_AUTHENTICATION_TOKEN' });
      } else {
        const rejected = await admit(scope, route, stage);
        response = rejected
          ? respondError(scope, rejected)
          : await integrateThroughCache(scope, route, stage);
      }
    } catch (error) {
      log(`${definition.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      response = respondError(scope, { responseType: 'DEFAULT_5XX' });
    }
    setHeader(response.headers, 'x-amzn-RequestId', scope.requestId);
    setHeader(response.headers, 'x-amz-apigw-id', scope.extendedRequestId);
    return response;
  }

  /**
   * The stage cache in front of the integration (authorization, API keys and validation have run, as in AWS):
   * a method the stage caches answers from the entry of its key (HTTP method, resource path, and the values
   * of its integration's cache key parameters — nothing else, so a path parameter that is not a key
   * parameter shares one entry, as in AWS) until the TTL passes. `Cache-Control: max-age=0` refetches and
   * replaces the entry only for a caller allowed `execute-api:InvalidateCache` (or when the stage does not
   * require it); anyone else gets the stage's unauthorized-cache-control strategy.
   */
  async function integrateThroughCache(
    scope: RequestScope,
    route: RouteMatch,
    stage: ApiStage,
  ): Promise<RestResponse> {
    const httpMethod = scope.request.method.toUpperCase();
    const caching = stageCaches.methodCaching(definition.apiId, stage, route.resource.path, httpMethod);
    if (caching === undefined) return integrate(scope, route, stage);
    const key = JSON.stringify([
      httpMethod,
      route.resource.path,
      ...route.method.integration.cacheKeyParameters.map((parameter) => [
        parameter,
        cacheKeyValue(parameter, scope.request, route.pathParameters),
      ]),
    ]);
    let warning = false;
    if (asksForRefetch(scope.request)) {
      if (!caching.requireAuthorizationForCacheControl || scope.mayInvalidateCache) {
        scope.stageCache = 'miss';
        noteStageCache('miss');
        const fresh = await integrate(scope, route, stage);
        if (scope.integrationAnswered)
          stageCaches.set(definition.apiId, stage.name, key, fresh, caching.ttlSeconds);
        return fresh;
      }
      if (caching.unauthorizedStrategy === 'FAIL_WITH_403') {
        return respondError(scope, { responseType: 'ACCESS_DENIED', statusCode: 403 });
      }
      warning = caching.unauthorizedStrategy === 'SUCCEED_WITH_RESPONSE_HEADER';
    }
    const cached = stageCaches.get(definition.apiId, stage.name, key);
    let response: RestResponse;
    if (cached !== undefined) {
      scope.stageCache = 'hit';
      noteStageCache('hit');
      response = cached;
    } else {
      scope.stageCache = 'miss';
      noteStageCache('miss');
      response = await integrate(scope, route, stage);
      if (scope.integrationAnswered)
        stageCaches.set(definition.apiId, stage.name, key, response, caching.ttlSeconds);
    }
    if (warning) setHeader(response.headers, 'Warning', IGNORED_CACHE_CONTROL_WARNING);
    return response;
  }

  return {
    apiId: definition.apiId,
    get definition() {
      return definition;
    },
    get unsupportedIntegrations() {
      return unsupportedIntegrations;
    },
    handle,
    reload(model) {
      // Requests read `definition` when they arrive: the next one sees the new routes, in-flight ones finish.
      definition = readRestApiDefinition(model, options.restApiId);
      unsupportedIntegrations = unsupportedIntegrationsOf(definition.root);
      for (const line of unsupportedIntegrations) log(`${definition.name}: not emulated: ${line}`);
    },
    ...loopbackServer(
      recordedListener(options.onRequest, { kind: 'REST API', api: definition.name }, (req, res) => {
        void serve(req, res, handle);
      }),
    ),
  };
}

/** Every method of the tree whose integration type, service or action the emulator cannot serve, with why. */
function unsupportedIntegrationsOf(root: ApiResourceNode): string[] {
  const found: string[] = [];
  const visit = (node: ApiResourceNode): void => {
    for (const [httpMethod, method] of node.methods) {
      const { integration } = method;
      const { type } = integration;
      const runner = INTEGRATIONS[type];
      const reason = runner
        ? runner.unsupported?.(integration)
        : `integration type ${type || '(none)'} is not emulated`;
      if (reason) found.push(`${httpMethod} ${node.path}: ${reason}`);
    }
    for (const child of node.children) visit(child);
  };
  visit(root);
  return found;
}

function toThrottle(
  setting: MethodSetting | undefined,
): { rateLimit?: number; burstLimit?: number } | undefined {
  return setting
    ? { rateLimit: setting.throttlingRateLimit, burstLimit: setting.throttlingBurstLimit }
    : undefined;
}

/** API Gateway's front door answers an oversized payload in plain text, before any gateway response applies. */
function payloadTooLarge(res: ServerResponse): void {
  res.statusCode = 413;
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Connection', 'close');
  res.end(`HTTP content length exceeded ${MAX_REST_PAYLOAD_BYTES} bytes.`);
}

/** Turns a Node HTTP request into a StagedRequest and writes the emulator's response. */
async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: StagedRequest) => Promise<RestResponse>,
): Promise<void> {
  try {
    const body = await readBodyWithin(req, MAX_REST_PAYLOAD_BYTES);
    if (body === undefined) {
      payloadTooLarge(res);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, stage = '', ...rest] = url.pathname.split('/');
    const headers: Record<string, string[]> = {};
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = (req.rawHeaders[i] ?? '').toLowerCase();
      headers[name] = [...(headers[name] ?? []), req.rawHeaders[i + 1] ?? ''];
    }
    const query: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) query[name] = [...(query[name] ?? []), value];
    const request: StagedRequest = {
      stage: decodeURIComponent(stage),
      method: req.method ?? 'GET',
      path: `/${rest.join('/')}`,
      headers,
      query,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      rawHeaders: req.rawHeaders,
    };
    const response = await handle(withGatewayHeaders(request, req.socket.localPort));
    res.statusCode = response.statusCode;
    for (const [name, values] of Object.entries(response.headers)) res.setHeader(name, values);
    res.end(response.body);
  } catch (error) {
    res.statusCode = 500;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ message: 'Internal server error' }));
    console.error(error);
  }
}
