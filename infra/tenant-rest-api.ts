import { Aspects, Duration, type IAspect, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct, type IDependable } from 'constructs';
import type * as z from 'zod';
import { APP_NAME } from '../shared/app-name';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECONDS } from '../shared/cors';
import { modelFromZod } from './request-models';
import { restAccessLogFormat } from './rest-access-log';
import { acknowledgeSdkCallFunction } from './sdk-call-function';
import { backendCeiling } from './usage-plans';
import { RegionalWaf } from './waf';

/** Media types the REST API passes as binary (a client must name one in Accept to receive the bytes). */
export const BINARY_MEDIA_TYPES = ['application/pdf'] as const;

export interface TenantRestApiProps {
  readonly stageName: string;
  /** Origins allowed by CORS (preflight, Lambda responses and gateway responses). */
  readonly allowedOrigins: readonly string[];
  /**
   * The one origin gateway responses (401, 403, 429, 5xx) name, so a browser there can read them: the console's.
   * @default the first of `allowedOrigins`
   */
  readonly gatewayResponseOrigin?: string;
  /**
   * Stage-wide steady-state request rate and burst: a ceiling that protects the backend, sized above what
   * the tenants' usage plans add up to (tenant fairness is the plans' job, per tenant key).
   * @default `backendCeiling()` — the default tiers for the default expected tenants, plus 20%
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * The stage cache cluster, in GB, or `false` for none (the cluster bills by the hour whether or not a method
   * caches). Without it, methods' caching settings are dropped and their other settings kept.
   * @default '0.5'
   */
  readonly cacheClusterSize?: string | false;
  /**
   * An AWS WAF web ACL on the stage (billed monthly per ACL and rule, plus per request).
   * @default true
   */
  readonly waf?: boolean;
  /**
   * API Gateway execution logging of the stage (never request or response bodies: they carry tenant data).
   * @default 'ERROR'
   */
  readonly executionLogLevel?: 'INFO' | 'ERROR';
}

/**
 * The tenant-facing REST API (v1) and its stage: every route on it is called by a tenant's users or on a
 * tenant's behalf, and each tenant is metered by its own API key. (The public HTTP API and the WebSocket API
 * are separate constructs.) JSON access logs, X-Ray, throttling, an encrypted stage cache whose invalidation
 * requires authorization, CORS preflight from the shared policy, gateway responses that carry CORS headers
 * and the same JSON error shape as the handlers, and WAF in front. Capabilities add their routes to `root`,
 * their per-method settings with `addMethodSettings` and their body models with `requestBody`.
 */
export class TenantRestApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  /** The group API Gateway writes the stage's execution logs to, owned here so it gets a retention. */
  readonly executionLogs: logs.LogGroup;
  /** The account-level API Gateway logging role: any API's stage that logs must be deployed after it. */
  readonly loggingAccount: IDependable;
  /** Validates request bodies (only: parameters are validated by the handlers), shared by every route. */
  readonly bodyValidator: apigw.RequestValidator;
  /** Whether the stage has a cache cluster: without one, methods' caching settings are not rendered. */
  readonly cacheEnabled: boolean;
  /**
   * The stage's name as a literal: what a function of this API is given (the stage's own `stageName` is a Ref to
   * the stage, which depends on every method, hence on the function: a cycle).
   */
  readonly stageName: string;
  private readonly methodSettings: apigw.CfnStage.MethodSettingProperty[] = [];
  private readonly executionLogLevel: apigw.MethodLoggingLevel;

  constructor(scope: Construct, id: string, props: TenantRestApiProps) {
    super(scope, id);
    const cacheClusterSize = props.cacheClusterSize ?? '0.5';
    this.cacheEnabled = cacheClusterSize !== false;
    this.stageName = props.stageName;
    this.executionLogLevel = apigw.MethodLoggingLevel[props.executionLogLevel ?? 'ERROR'];
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {});
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${APP_NAME}-${props.stageName}`,
      description: `${APP_NAME} REST API: tenants, catalog, orders`,
      // Each tenant is metered by its own API key, which only the Lambda authorizer can supply.
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Bodies of these types pass as bytes: a function answers them base64 with isBase64Encoded.
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.allowedOrigins],
        allowHeaders: CORS_ALLOWED_HEADERS,
        allowMethods: CORS_ALLOWED_METHODS,
        allowCredentials: true,
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: this.executionLogLevel,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: restAccessLogFormat(),
        throttlingRateLimit: (props.throttle ?? backendCeiling()).rateLimit,
        throttlingBurstLimit: (props.throttle ?? backendCeiling()).burstLimit,
        ...(cacheClusterSize === false
          ? { cacheClusterEnabled: false }
          : { cacheClusterEnabled: true, cacheClusterSize, cachingEnabled: false, cacheDataEncrypted: true }),
      },
    });
    // The stage renders its settings when it is created, before any capability has added a route: the
    // per-method ones are appended at synth, after everything has been added.
    const stage = this.api.deploymentStage.node.defaultChild as apigw.CfnStage;
    // API Gateway creates this group itself on the first log line, with no retention, unless it exists first.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${props.stageName}`,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);
    const account = this.api.node.tryFindChild('Account');
    if (account === undefined)
      throw new Error('the REST API has no CloudWatch logging role (cloudWatchRole)');
    this.loggingAccount = account;
    const stageWide = stage.methodSettings;
    stage.methodSettings = Lazy.any({
      produce: () => [...(Array.isArray(stageWide) ? stageWide : []), ...this.methodSettings],
    });
    this.bodyValidator = new apigw.RequestValidator(this, 'BodyValidator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: false,
    });

    this.addGatewayResponses(props.gatewayResponseOrigin ?? props.allowedOrigins[0]);
    if (this.cacheEnabled) this.requireAuthorizationForCacheInvalidation();

    if (props.waf ?? true) {
      new RegionalWaf(this, 'Waf', { stageArn: this.api.deploymentStage.stageArn });
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is switched off for this sandbox stage by config (-c waf=true turns it on; prod always has it)',
      });
    }
    // Preflights are created with each resource, by whichever capability adds it, so they are found at synth.
    Aspects.of(this.api).add(new AcknowledgePreflights());

    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'Serverless-APIGWStructuredLogging',
      reason:
        'every access-log line is a JSON object; the format itself is not JSON only because status and latency are written as JSON numbers (unquoted) for Contributor Insights and Logs Insights',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'every POST/PUT/PATCH method has a request validator and model; OPTIONS and GET take no body',
    });
    const cwRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cwRole) {
      Validations.of(cwRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'AmazonAPIGatewayPushToCloudWatchLogs is the documented managed policy for the account-level API Gateway logging role',
      });
    }
  }

  /** The API's root resource, where capabilities add their routes. */
  get root(): apigw.IResource {
    return this.api.root;
  }

  /**
   * Caching and throttling of one method at the stage. Taking the method itself (not a path string) means a
   * setting cannot name a route that does not exist.
   */
  addMethodSettings(method: apigw.Method, options: apigw.MethodDeploymentOptions): void {
    const caching = this.cacheEnabled
      ? {
          cacheDataEncrypted: options.cacheDataEncrypted,
          cacheTtlInSeconds: options.cacheTtl?.toSeconds(),
          cachingEnabled: options.cachingEnabled,
        }
      : {};
    this.methodSettings.push({
      httpMethod: method.httpMethod,
      // Settings name a resource by its path as a JSON pointer segment: `/orders` is `/~1orders`.
      resourcePath: `/${method.resource.path.replace(/\//g, '~1')}`,
      ...caching,
      dataTraceEnabled: options.dataTraceEnabled ?? false,
      // An override without a level would turn execution logging off for the method.
      loggingLevel: options.loggingLevel ?? this.executionLogLevel,
      metricsEnabled: options.metricsEnabled,
      throttlingBurstLimit: options.throttlingBurstLimit,
      throttlingRateLimit: options.throttlingRateLimit,
    });
  }

  /**
   * Method options that validate the JSON body against a model generated from `schema`, the zod schema the
   * handler parses with; `modelId` names the model (unique in the API).
   */
  requestBody(
    modelId: string,
    schema: z.ZodType,
  ): Pick<apigw.MethodOptions, 'requestValidator' | 'requestModels'> {
    return {
      requestValidator: this.bodyValidator,
      requestModels: { 'application/json': modelFromZod(this.api, modelId, schema) },
    };
  }

  private addGatewayResponses(origin: string | undefined): void {
    // Gateway responses cannot echo an origin conditionally, so they name one: the console's.
    const headers = {
      'Access-Control-Allow-Origin': `'${origin}'`,
      'Access-Control-Allow-Credentials': "'true'",
      Vary: "'Origin'",
    };
    const body = (message: string) => ({
      'application/json': `{"code":"$context.error.responseType","message":${message},"requestId":"$context.requestId"}`,
    });
    this.api.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      responseHeaders: headers,
      templates: body('$context.error.messageString'),
    });
    this.api.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      responseHeaders: headers,
      templates: body('$context.error.messageString'),
    });
    this.api.addGatewayResponse('BadRequestBody', {
      type: apigw.ResponseType.BAD_REQUEST_BODY,
      responseHeaders: headers,
      templates: body('"$util.escapeJavaScript($context.error.validationErrorString)"'),
    });
  }

  /**
   * Cache-Control: max-age=0 from a client would let anyone flush cached entries. CloudFormation cannot set
   * the stage's unauthorized-cache-control strategy, so an SDK call does: such requests need
   * execute-api:InvalidateCache, else 403.
   */
  private requireAuthorizationForCacheInvalidation(): void {
    const stage = this.api.deploymentStage;
    const call: cr.AwsSdkCall = {
      service: 'APIGateway',
      action: 'updateStage',
      parameters: {
        restApiId: this.api.restApiId,
        stageName: stage.stageName,
        patchOperations: [
          { op: 'replace', path: '/*/*/caching/requireAuthorizationForCacheControl', value: 'true' },
          {
            op: 'replace',
            path: '/*/*/caching/unauthorizedCacheControlHeaderStrategy',
            value: 'FAIL_WITH_403',
          },
        ],
      },
      // Tied to the deployment so the call runs again whenever CloudFormation redeploys the stage.
      physicalResourceId: cr.PhysicalResourceId.of(
        `${this.api.restApiId}-${stage.stageName}-${this.api.latestDeployment?.deploymentId ?? 'initial'}`,
      ),
    };
    const setting = new cr.AwsCustomResource(this, 'CacheInvalidationRequiresAuthorization', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['apigateway:PATCH'],
          resources: [
            Stack.of(this).formatArn({
              service: 'apigateway',
              account: '',
              resource: `/restapis/${this.api.restApiId}/stages/${stage.stageName}`,
            }),
          ],
        }),
      ]),
    });
    setting.node.addDependency(stage);
    acknowledgeSdkCallFunction(this);
  }
}

/** CORS preflight methods carry no authorizer by design; the finding is acknowledged on each. */
class AcknowledgePreflights implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof apigw.Method) || node.httpMethod !== 'OPTIONS') return;
    for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(node).acknowledge({
        id: rule,
        reason: 'CORS preflight must be answerable without credentials',
      });
    }
  }
}
