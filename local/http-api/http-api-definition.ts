import * as z from 'zod';
import { functionArnOfInvocationUri } from '../gateway/lambda-integration-uri';
import type { LocalCloudModel, LocalResource } from '../model';
import { parseRouteKey, type RouteKey } from './route-selection';
import { SERVICE_INTEGRATIONS } from './service-integrations';

/**
 * Resource types the HTTP API service serves. `AWS::ApiGatewayV2::Api` is shared with the WebSocket service:
 * this one serves only `ProtocolType: HTTP` APIs (and the routes, integrations, authorizers and stages of
 * those). Deployments are accepted: every stage serves the template's current routes (AutoDeploy or not).
 */
export const HTTP_API_RESOURCE_TYPES = [
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Deployment',
] as const;

/** Template booleans and numbers arrive as JSON values or, after a Join/Sub, as strings. */
const flag = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const count = z.coerce.number();
const strings = z.array(z.string());

const corsSchema = z.object({
  AllowOrigins: strings.optional(),
  AllowMethods: strings.optional(),
  AllowHeaders: strings.optional(),
  ExposeHeaders: strings.optional(),
  MaxAge: count.optional(),
  AllowCredentials: flag.optional(),
});

const apiSchema = z.object({
  Name: z.string().optional(),
  ProtocolType: z.string().optional(),
  CorsConfiguration: corsSchema.optional(),
  /** Quick create: a Lambda ARN (or URL) that becomes the `$default` route of a `$default` stage. */
  Target: z.string().optional(),
  Body: z.unknown().optional(),
  BodyS3Location: z.unknown().optional(),
});

const routeSchema = z.object({
  ApiId: z.string(),
  RouteKey: z.string(),
  Target: z.string().optional(),
  AuthorizationType: z.string().optional(),
  AuthorizerId: z.string().optional(),
  AuthorizationScopes: strings.optional(),
});

const integrationSchema = z.object({
  ApiId: z.string(),
  IntegrationType: z.string(),
  IntegrationUri: z.string().optional(),
  IntegrationSubtype: z.string().optional(),
  RequestParameters: z.record(z.string(), z.string()).optional(),
  PayloadFormatVersion: z.string().optional(),
  TimeoutInMillis: count.optional(),
});

const authorizerSchema = z.object({
  ApiId: z.string(),
  Name: z.string().optional(),
  AuthorizerType: z.string(),
  IdentitySource: strings.optional(),
  JwtConfiguration: z.object({ Audience: strings.optional(), Issuer: z.string().optional() }).optional(),
  AuthorizerUri: z.string().optional(),
  AuthorizerPayloadFormatVersion: z.string().optional(),
  EnableSimpleResponses: flag.optional(),
  AuthorizerResultTtlInSeconds: count.optional(),
});

const routeSettingsSchema = z.object({
  ThrottlingBurstLimit: count.optional(),
  ThrottlingRateLimit: count.optional(),
});

const stageSchema = z.object({
  ApiId: z.string(),
  StageName: z.string(),
  DefaultRouteSettings: routeSettingsSchema.optional(),
  RouteSettings: z.record(z.string(), routeSettingsSchema).optional(),
  StageVariables: z.record(z.string(), z.string()).optional(),
});

/** The API's CorsConfiguration, with AWS's defaults for what is left out. */
export interface CorsDefinition {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge?: number;
  readonly allowCredentials: boolean;
}

/** A Lambda proxy integration (`AWS_PROXY`), the only integration type emulated so far. */
export interface IntegrationDefinition {
  readonly id: string;
  readonly type: string;
  /** The function ARN, when the integration invokes Lambda. */
  readonly functionArn?: string;
  readonly payloadFormatVersion: '1.0' | '2.0';
  /** At most 30 s, AWS's cap for HTTP APIs. */
  readonly timeoutMs: number;
  /** A first-class AWS service integration's `IntegrationSubtype` (`EventBridge-PutEvents`, …). */
  readonly subtype?: string;
  /** Its `RequestParameters`: the service's parameters, each a selection expression or a literal. */
  readonly requestParameters: Readonly<Record<string, string>>;
}

/** An authorizer of the API (`JWT` or `REQUEST`). */
export interface AuthorizerDefinition {
  readonly id: string;
  readonly name: string;
  readonly type: 'JWT' | 'REQUEST';
  /** Expressions such as `$request.header.Authorization`. */
  readonly identitySource: readonly string[];
  readonly jwt?: { readonly issuer: string; readonly audience: readonly string[] };
  readonly functionArn?: string;
  readonly payloadFormatVersion: '1.0' | '2.0';
  readonly simpleResponses: boolean;
  readonly resultTtlSeconds: number;
}

/** One route: its key, what it calls and who may call it. */
export interface RouteDefinition {
  readonly id: string;
  readonly key: RouteKey;
  readonly integration?: IntegrationDefinition;
  /** `NONE` | `JWT` | `CUSTOM` | `AWS_IAM`. */
  readonly authorizationType: string;
  readonly authorizer?: AuthorizerDefinition;
  readonly authorizationScopes: readonly string[];
}

/** Token-bucket limits of a route on a stage; absent limits mean no throttling here. */
export interface ThrottleLimits {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

/** A stage: `$default` (served at `/`) or a named one (served at `/<name>`). */
export interface StageDefinition {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly defaultThrottle?: ThrottleLimits;
  /** RouteSettings by route key (`GET /items/{id}`). */
  readonly routeThrottles: Readonly<Record<string, ThrottleLimits>>;
}

/** Everything the server needs of one HTTP API, read once at start. */
export interface HttpApiDefinition {
  readonly apiId: string;
  readonly name: string;
  readonly cors?: CorsDefinition;
  readonly routes: readonly RouteDefinition[];
  readonly stages: ReadonlyMap<string, StageDefinition>;
  /** What the template asks for that is not emulated, for the start-up report. */
  readonly warnings: readonly string[];
}

/** Integration timeout cap (and default) of HTTP APIs. */
const MAX_TIMEOUT_MS = 30_000;

/** A Lambda ARN from either form an integration or authorizer names it in. */
function functionArnOf(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const wrapped = functionArnOfInvocationUri(uri);
  if (wrapped !== undefined) return wrapped;
  return /^arn:[^:]+:lambda:/.test(uri) ? uri : undefined;
}

function parsed<T>(schema: z.ZodType<T>, resource: LocalResource): T {
  const result = schema.safeParse(resource.properties);
  if (!result.success) {
    throw new Error(
      `${resource.type} ${resource.stackName}/${resource.logicalId} is not understood: ${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}

function throttleOf(settings: z.infer<typeof routeSettingsSchema> | undefined): ThrottleLimits | undefined {
  if (settings?.ThrottlingRateLimit === undefined && settings?.ThrottlingBurstLimit === undefined) {
    return undefined;
  }
  return { rateLimit: settings.ThrottlingRateLimit, burstLimit: settings.ThrottlingBurstLimit };
}

function corsOf(cors: z.infer<typeof corsSchema> | undefined): CorsDefinition | undefined {
  if (cors === undefined) return undefined;
  return {
    allowOrigins: cors.AllowOrigins ?? [],
    allowMethods: cors.AllowMethods ?? [],
    allowHeaders: cors.AllowHeaders ?? [],
    exposeHeaders: cors.ExposeHeaders ?? [],
    ...(cors.MaxAge === undefined ? {} : { maxAge: cors.MaxAge }),
    allowCredentials: cors.AllowCredentials ?? false,
  };
}

function integrationOf(id: string, p: z.infer<typeof integrationSchema>): IntegrationDefinition {
  return {
    id,
    type: p.IntegrationType.toUpperCase(),
    functionArn: functionArnOf(p.IntegrationUri),
    payloadFormatVersion: p.PayloadFormatVersion === '1.0' ? '1.0' : '2.0',
    timeoutMs: Math.min(MAX_TIMEOUT_MS, p.TimeoutInMillis ?? MAX_TIMEOUT_MS),
    ...(p.IntegrationSubtype === undefined ? {} : { subtype: p.IntegrationSubtype }),
    requestParameters: p.RequestParameters ?? {},
  };
}

function authorizerOf(id: string, p: z.infer<typeof authorizerSchema>): AuthorizerDefinition {
  const type = p.AuthorizerType.toUpperCase() === 'JWT' ? 'JWT' : 'REQUEST';
  return {
    id,
    name: p.Name ?? id,
    type,
    identitySource: p.IdentitySource ?? [],
    ...(type === 'JWT'
      ? {
          jwt: {
            issuer: p.JwtConfiguration?.Issuer ?? '',
            audience: p.JwtConfiguration?.Audience ?? [],
          },
        }
      : {}),
    functionArn: functionArnOf(p.AuthorizerUri),
    payloadFormatVersion: p.AuthorizerPayloadFormatVersion === '1.0' ? '1.0' : '2.0',
    simpleResponses: p.EnableSimpleResponses ?? false,
    // CDK always writes the TTL (300 s unless told); left out of a raw template, caching is off.
    resultTtlSeconds: p.AuthorizerResultTtlInSeconds ?? 0,
  };
}

/** The HTTP APIs (`ProtocolType: HTTP`) of the model. */
export function httpApiResources(model: LocalCloudModel): LocalResource[] {
  return model.resources.filter(
    (r) => r.type === 'AWS::ApiGatewayV2::Api' && String(r.properties.ProtocolType ?? '') === 'HTTP',
  );
}

/** Reads one HTTP API (by logical or physical id) and everything attached to it from the resolved model. */
export function readHttpApiDefinition(model: LocalCloudModel, apiId: string): HttpApiDefinition {
  const api = httpApiResources(model).find((r) => r.physicalId === apiId || r.logicalId === apiId);
  if (api === undefined) throw new Error(`no HTTP API ${apiId} in the template`);
  const props = parsed(apiSchema, api);
  const id = api.physicalId;
  const warnings: string[] = [];
  if (props.Body !== undefined || props.BodyS3Location !== undefined) {
    warnings.push(`HTTP API ${api.logicalId}: an OpenAPI Body is not read; only Route resources are served`);
  }
  const attached = (type: string) =>
    model.resources.filter((r) => r.type === type && r.properties.ApiId === id);

  const integrations = new Map<string, IntegrationDefinition>();
  for (const r of attached('AWS::ApiGatewayV2::Integration')) {
    integrations.set(r.physicalId, integrationOf(r.physicalId, parsed(integrationSchema, r)));
  }
  const authorizers = new Map<string, AuthorizerDefinition>();
  for (const r of attached('AWS::ApiGatewayV2::Authorizer')) {
    authorizers.set(r.physicalId, authorizerOf(r.physicalId, parsed(authorizerSchema, r)));
  }

  const routes: RouteDefinition[] = attached('AWS::ApiGatewayV2::Route').map((r) => {
    const p = parsed(routeSchema, r);
    const integrationId = p.Target?.replace(/^integrations\//, '');
    const integration = integrationId === undefined ? undefined : integrations.get(integrationId);
    if (integration === undefined) {
      warnings.push(`HTTP API ${api.logicalId}: route ${p.RouteKey} has no integration (answers 500)`);
    } else if (integration.subtype !== undefined) {
      if (!SERVICE_INTEGRATIONS[integration.subtype]) {
        warnings.push(
          `HTTP API ${api.logicalId}: route ${p.RouteKey} uses the ${integration.subtype} integration, which is not emulated (answers 500; served: ${Object.keys(SERVICE_INTEGRATIONS).join(', ')})`,
        );
      }
    } else if (integration.type !== 'AWS_PROXY' || integration.functionArn === undefined) {
      warnings.push(
        `HTTP API ${api.logicalId}: route ${p.RouteKey} uses a ${integration.type} integration, which is not emulated (answers 500)`,
      );
    }
    return {
      id: r.physicalId,
      key: parseRouteKey(p.RouteKey),
      ...(integration ? { integration } : {}),
      authorizationType: (p.AuthorizationType ?? 'NONE').toUpperCase(),
      ...(p.AuthorizerId !== undefined && authorizers.has(p.AuthorizerId)
        ? { authorizer: authorizers.get(p.AuthorizerId) }
        : {}),
      authorizationScopes: p.AuthorizationScopes ?? [],
    };
  });

  const stages = new Map<string, StageDefinition>();
  for (const r of attached('AWS::ApiGatewayV2::Stage')) {
    const p = parsed(stageSchema, r);
    const routeThrottles: Record<string, ThrottleLimits> = {};
    for (const [key, settings] of Object.entries(p.RouteSettings ?? {})) {
      const limits = throttleOf(settings);
      if (limits) routeThrottles[key] = limits;
    }
    const defaultThrottle = throttleOf(p.DefaultRouteSettings);
    stages.set(p.StageName, {
      name: p.StageName,
      variables: p.StageVariables ?? {},
      ...(defaultThrottle ? { defaultThrottle } : {}),
      routeThrottles,
    });
  }

  // Quick create: `Target` on the Api makes a `$default` route to it and an auto-deployed `$default` stage.
  const quickTarget = functionArnOf(props.Target);
  if (quickTarget !== undefined) {
    routes.push({
      id: `${id}-quick-create`,
      key: parseRouteKey('$default'),
      integration: {
        id: `${id}-quick-create`,
        type: 'AWS_PROXY',
        functionArn: quickTarget,
        payloadFormatVersion: '2.0',
        timeoutMs: MAX_TIMEOUT_MS,
        requestParameters: {},
      },
      authorizationType: 'NONE',
      authorizationScopes: [],
    });
    if (!stages.has('$default'))
      stages.set('$default', { name: '$default', variables: {}, routeThrottles: {} });
  }

  const cors = corsOf(props.CorsConfiguration);
  return {
    apiId: id,
    name: props.Name ?? api.logicalId,
    ...(cors ? { cors } : {}),
    routes,
    stages,
    warnings,
  };
}
