import * as z from 'zod';
import { functionArnOfInvocationUri as functionArnOf } from '../gateway/lambda-integration-uri';
import type { LocalCloudModel, LocalResource } from '../model';

/**
 * Resource types this service serves. `AWS::ApiGatewayV2::Api` (and its children) is shared with the HTTP API
 * service: this one serves only the APIs whose `ProtocolType` is `WEBSOCKET` (see {@link isWebSocketApi}).
 * Deployments are accepted as they are: every stage serves the template's routes.
 */
export const WEBSOCKET_API_RESOURCE_TYPES = [
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::RouteResponse',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::IntegrationResponse',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Deployment',
] as const;

/** The route selection expression CDK's `WebSocketApi` emits when none is given. */
export const DEFAULT_ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/** A Lambda REQUEST authorizer of the API (the only kind WebSocket APIs have). */
export interface WebSocketAuthorizer {
  readonly authorizerId: string;
  readonly name: string;
  /** The function behind `AuthorizerUri`, or undefined when the URI is not a Lambda invocation URI. */
  readonly functionArn?: string;
  /** e.g. `route.request.querystring.token`, `route.request.header.Auth`, `stageVariables.x`, `context.x`. */
  readonly identitySources: readonly string[];
  /** Result cache TTL; 0 = no cache. */
  readonly ttlSeconds: number;
}

/** What a route hands messages to. Only Lambda proxy (`AWS_PROXY`) integrations are invoked locally. */
export interface WebSocketIntegration {
  readonly integrationId: string;
  /** `AWS_PROXY`, `AWS`, `HTTP`, `HTTP_PROXY` or `MOCK`. */
  readonly type: string;
  readonly functionArn?: string;
}

export interface WebSocketRoute {
  readonly logicalId: string;
  /** `$connect`, `$disconnect`, `$default` or a custom key such as `sendmessage`. */
  readonly routeKey: string;
  /** `NONE`, `AWS_IAM` or `CUSTOM`. */
  readonly authorizationType: string;
  readonly authorizer?: WebSocketAuthorizer;
  readonly integration?: WebSocketIntegration;
  /**
   * Two-way route: the integration's result goes back to the client. CDK sets `RouteResponseSelectionExpression`
   * (with a RouteResponse) when a route has `returnResponse: true`; without it API Gateway sends nothing back.
   */
  readonly twoWay: boolean;
}

export interface WebSocketStage {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
}

/** One WebSocket API, read once from the template; request paths read this, never the raw resources. */
export interface WebSocketApiDefinition {
  readonly apiId: string;
  readonly name: string;
  readonly routeSelectionExpression: string;
  readonly routes: ReadonlyMap<string, WebSocketRoute>;
  readonly stages: ReadonlyMap<string, WebSocketStage>;
  /** What the template asks for that is not emulated, for the start-up log. */
  readonly warnings: readonly string[];
}

const apiSchema = z.looseObject({
  Name: z.string().optional(),
  ProtocolType: z.string(),
  RouteSelectionExpression: z.string().optional(),
});
const routeSchema = z.looseObject({
  ApiId: z.string(),
  RouteKey: z.string(),
  AuthorizationType: z.string().optional(),
  AuthorizerId: z.string().optional(),
  Target: z.string().optional(),
  RouteResponseSelectionExpression: z.string().optional(),
});
const integrationSchema = z.looseObject({
  ApiId: z.string(),
  IntegrationType: z.string(),
  IntegrationUri: z.string().optional(),
});
const authorizerSchema = z.looseObject({
  ApiId: z.string(),
  AuthorizerType: z.string(),
  AuthorizerUri: z.string().optional(),
  IdentitySource: z.union([z.array(z.string()), z.string()]).optional(),
  AuthorizerResultTtlInSeconds: z.coerce.number().optional(),
  Name: z.string().optional(),
});
const stageSchema = z.looseObject({
  ApiId: z.string(),
  StageName: z.string(),
  StageVariables: z.record(z.string(), z.unknown()).optional(),
});

/** True for an `AWS::ApiGatewayV2::Api` this service serves. */
export function isWebSocketApi(resource: LocalResource): boolean {
  return resource.type === 'AWS::ApiGatewayV2::Api' && resource.properties.ProtocolType === 'WEBSOCKET';
}

/** The ids of every WebSocket API in the model, in template order. */
export function webSocketApiIds(model: LocalCloudModel): string[] {
  return model.resources.filter(isWebSocketApi).map((r) => r.physicalId);
}

function childrenOf<T>(
  model: LocalCloudModel,
  type: string,
  apiId: string,
  schema: z.ZodType<T & { ApiId: string }>,
): Array<{ resource: LocalResource; props: T }> {
  return model.resources
    .filter((r) => r.type === type)
    .flatMap((resource) => {
      const parsed = schema.safeParse(resource.properties);
      return parsed.success && parsed.data.ApiId === apiId ? [{ resource, props: parsed.data }] : [];
    });
}

function identitySourcesOf(value: string[] | string | undefined): string[] {
  const list = typeof value === 'string' ? value.split(',') : (value ?? []);
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Reads one WebSocket API (by its id) from the model: routes with their integration and authorizer, and stages.
 * Throws when the id is not a WebSocket API of the model.
 */
export function webSocketApiDefinition(model: LocalCloudModel, apiId: string): WebSocketApiDefinition {
  const api = model.resources.find((r) => isWebSocketApi(r) && r.physicalId === apiId);
  if (api === undefined) throw new Error(`no WebSocket API with id ${apiId} in the template`);
  const apiProps = apiSchema.parse(api.properties);
  const warnings: string[] = [];

  const integrations = new Map<string, WebSocketIntegration>();
  for (const { resource, props } of childrenOf(
    model,
    'AWS::ApiGatewayV2::Integration',
    apiId,
    integrationSchema,
  )) {
    const type = props.IntegrationType.toUpperCase();
    const functionArn = type === 'AWS_PROXY' ? functionArnOf(props.IntegrationUri) : undefined;
    if (functionArn === undefined) {
      warnings.push(
        `integration ${resource.logicalId} (${type}) is not a Lambda proxy integration: its routes answer "Internal server error"`,
      );
    }
    integrations.set(resource.physicalId, {
      integrationId: resource.physicalId,
      type,
      ...(functionArn === undefined ? {} : { functionArn }),
    });
  }

  const authorizers = new Map<string, WebSocketAuthorizer>();
  for (const { resource, props } of childrenOf(
    model,
    'AWS::ApiGatewayV2::Authorizer',
    apiId,
    authorizerSchema,
  )) {
    const functionArn = functionArnOf(props.AuthorizerUri);
    const ttl = props.AuthorizerResultTtlInSeconds ?? 0;
    authorizers.set(resource.physicalId, {
      authorizerId: resource.physicalId,
      name: props.Name ?? resource.logicalId,
      ...(functionArn === undefined ? {} : { functionArn }),
      identitySources: identitySourcesOf(props.IdentitySource),
      // CloudFormation documents the TTL as HTTP-API-only and CDK's WebSocketLambdaAuthorizer emits none, so a
      // WebSocket authorizer is not cached unless a template sets the TTL itself.
      ttlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : 0,
    });
  }

  const routes = new Map<string, WebSocketRoute>();
  for (const { resource, props } of childrenOf(model, 'AWS::ApiGatewayV2::Route', apiId, routeSchema)) {
    const integrationId = /^integrations\/(.+)$/.exec(props.Target ?? '')?.[1];
    const integration = integrationId === undefined ? undefined : integrations.get(integrationId);
    const authorizationType = (props.AuthorizationType ?? 'NONE').toUpperCase();
    const authorizer =
      authorizationType === 'CUSTOM' && props.AuthorizerId !== undefined
        ? authorizers.get(props.AuthorizerId)
        : undefined;
    if (authorizationType === 'AWS_IAM') {
      warnings.push(
        `route ${props.RouteKey} uses AWS_IAM authorization, which is not emulated: it is refused`,
      );
    }
    if (integration === undefined) {
      warnings.push(`route ${props.RouteKey} has no integration: it answers "Internal server error"`);
    }
    routes.set(props.RouteKey, {
      logicalId: resource.logicalId,
      routeKey: props.RouteKey,
      authorizationType,
      ...(authorizer === undefined ? {} : { authorizer }),
      ...(integration === undefined ? {} : { integration }),
      twoWay: props.RouteResponseSelectionExpression !== undefined,
    });
  }

  const stages = new Map<string, WebSocketStage>();
  for (const { props } of childrenOf(model, 'AWS::ApiGatewayV2::Stage', apiId, stageSchema)) {
    const variables = Object.fromEntries(
      Object.entries(props.StageVariables ?? {}).map(([k, v]) => [k, String(v)]),
    );
    stages.set(props.StageName, { name: props.StageName, variables });
  }

  const routeSelectionExpression = apiProps.RouteSelectionExpression ?? DEFAULT_ROUTE_SELECTION_EXPRESSION;
  return {
    apiId,
    name: apiProps.Name ?? api.logicalId,
    routeSelectionExpression,
    routes,
    stages,
    warnings,
  };
}
