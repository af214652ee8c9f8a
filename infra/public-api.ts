import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { meEnvironment } from '../services/me/environment';
import { TENANT_SUMMARY_ATTRIBUTES } from '../services/me/tenant-summary-repository';
import { publicCatalogEnvironment } from '../services/public-catalog/environment';
import {
  PUBLIC_FLAG_ATTRIBUTE,
  SLUG_RECORD_ATTRIBUTES,
  TENANT_STATUS_ATTRIBUTES,
} from '../services/public-catalog/public-catalog-repository';
import { publicTrackingEnvironment } from '../services/public-tracking/environment';
import { TRACKING_VIEW_ATTRIBUTES } from '../services/public-tracking/tracking-view';
import { APP_NAME } from '../shared/app-name';
import { PUBLIC_CATALOG_ATTRIBUTES } from '../shared/codecs/catalog-item-codec';
import { TRACKING_POINTER_ATTRIBUTES } from '../shared/codecs/tracking-pointer-codec';
import { CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '../shared/cors';
import { catalogKeys } from '../shared/keys/catalog-keys';
import { orderKeys } from '../shared/keys/order-keys';
import { tenantKeys } from '../shared/keys/tenant-keys';
import { tenantSlugKeys } from '../shared/keys/tenant-slug-keys';
import { trackingKeys } from '../shared/keys/tracking-keys';
import { TABLE } from '../shared/table';
import { ServiceFunction } from './service-function';

/** Steady-state rate (requests/s) and burst of a stage or a route. */
export interface HttpThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface PublicApiProps {
  /** Names the API (`saas-orders-public-<stage>`); the API is served on its `$default` stage. */
  readonly stageName: string;
  /** Origins the API answers CORS for (preflights and responses), e.g. the storefront's and the SPA's. */
  readonly allowedOrigins: readonly string[];
  /**
   * Whether `*` may be among `allowedOrigins`: only in a sandbox stage.
   * @default false — a `*` origin fails synth
   */
  readonly allowWildcardOrigin?: boolean;
  /** The single table: slug records, tracking pointers, catalogs, orders and profiles (read-only here). */
  readonly table: dynamodb.ITable;
  /** The pool whose ID tokens `/me` accepts (its provider URL is the JWT issuer). */
  readonly userPool: cognito.UserPool;
  /** The app client whose tokens `/me` accepts (the JWT audience). */
  readonly userPoolClient: cognito.IUserPoolClient;
  /**
   * Default-stage throttling, for every route without its own.
   * @default 100 requests/s, burst 200
   */
  readonly throttle?: HttpThrottle;
}

/** Any tenant's partition of an entity, as an IAM `StringLike` pattern: `TENANT#*#CATALOG`. */
function anyTenant(partition: (tenantId: string) => string): string {
  const sample = `t${'0'.repeat(16)}`;
  return partition(sample).replace(sample, '*');
}

/** Per-route limits: the storefront is the hot path; tracking ids are guessed at by nobody sensible. */
const ROUTE_THROTTLES: Readonly<Record<string, HttpThrottle>> = {
  'GET /public/{tenantSlug}/catalog': { rateLimit: 200, burstLimit: 400 },
  'GET /public/track/{trackingId}': { rateLimit: 50, burstLimit: 100 },
  'GET /me': { rateLimit: 20, burstLimit: 40 },
};

/**
 * The HTTP API (v2) for cheap, fast public reads and one native-JWT route:
 * `GET /public/{tenantSlug}/catalog` (a tenant's public items, public fields only, cacheable),
 * `GET /public/track/{trackingId}` (an order's status and timeline by its unguessable tracking id) and
 * `GET /me` (behind the HTTP API's JWT authorizer: Cognito issuer, the SPA client as audience). CORS is
 * answered at the gateway from `allowedOrigins`; default-stage and per-route throttling; JSON access logs
 * with the route and status. Each route has its own function, and each function may only GetItem/Query the
 * partitions and attributes it serves (IAM `dynamodb:LeadingKeys` and `dynamodb:Attributes`).
 */
export class PublicApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly authorizer: HttpJwtAuthorizer;
  readonly catalogHandler: ServiceFunction<typeof publicCatalogEnvironment>;
  readonly trackingHandler: ServiceFunction<typeof publicTrackingEnvironment>;
  readonly meHandler: ServiceFunction<typeof meEnvironment>;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    const { table } = props;
    const keys = [TABLE.partitionKey, TABLE.sortKey];

    this.catalogHandler = new ServiceFunction(this, 'CatalogHandler', {
      service: 'public-catalog',
      environment: publicCatalogEnvironment,
      description: "Public storefront: a tenant's public catalog items by its slug",
      memorySize: 256,
      timeout: Duration.seconds(5),
    }).bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem', 'dynamodb:Query'], {
      leadingKeys: [
        tenantSlugKeys.leadingKeyPattern,
        anyTenant((t) => tenantKeys.profile(t).PK),
        anyTenant(catalogKeys.partition),
      ],
      attributes: [
        ...keys,
        ...SLUG_RECORD_ATTRIBUTES,
        ...TENANT_STATUS_ATTRIBUTES,
        ...PUBLIC_CATALOG_ATTRIBUTES,
        PUBLIC_FLAG_ATTRIBUTE,
      ],
    });
    this.trackingHandler = new ServiceFunction(this, 'TrackingHandler', {
      service: 'public-tracking',
      environment: publicTrackingEnvironment,
      description: "Public tracking: an order's status and timeline by its tracking id",
      memorySize: 256,
      timeout: Duration.seconds(5),
    }).bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem'], {
      leadingKeys: [
        trackingKeys.leadingKeyPattern,
        anyTenant(orderKeys.partition),
        anyTenant((t) => tenantKeys.profile(t).PK),
      ],
      attributes: [
        // The order's status and the profile's share a name: listed once.
        ...new Set([
          ...keys,
          ...TRACKING_POINTER_ATTRIBUTES,
          ...TRACKING_VIEW_ATTRIBUTES,
          ...TENANT_STATUS_ATTRIBUTES,
        ]),
      ],
    });
    this.meHandler = new ServiceFunction(this, 'MeHandler', {
      service: 'me',
      environment: meEnvironment,
      description:
        "GET /me: the caller's tenant, role and tier (token verified by the HTTP API's JWT authorizer)",
      memorySize: 256,
      timeout: Duration.seconds(5),
    }).bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem'], {
      leadingKeys: [anyTenant((t) => tenantKeys.profile(t).PK)],
      attributes: [...keys, ...TENANT_SUMMARY_ATTRIBUTES],
    });

    if (props.allowedOrigins.length === 0)
      throw new Error('allowedOrigins is empty: list at least one origin');
    const allowWildcard = props.allowWildcardOrigin ?? false;
    this.node.addValidation({
      validate: () =>
        !allowWildcard && props.allowedOrigins.includes('*')
          ? [
              "allowed origin '*' on the public API outside a sandbox stage: list the storefront's origins, e.g. https://shop.example.com",
            ]
          : [],
    });

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${APP_NAME}-public-${props.stageName}`,
      description: `${APP_NAME} HTTP API: public catalog, order tracking, /me`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: ['Authorization', 'Content-Type'],
        exposeHeaders: CORS_EXPOSED_HEADERS,
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
        // Bearer tokens are not CORS credentials: no cookies are ever needed, so none are allowed.
        allowCredentials: false,
      },
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {});
    const throttle = props.throttle ?? { rateLimit: 100, burstLimit: 200 };
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            httpMethod: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            // The /me route's JWT subject; the tenant claim's name (custom:tenantId) cannot be written here.
            userId: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    this.authorizer = new HttpJwtAuthorizer('CognitoJwt', props.userPool.userPoolProviderUrl, {
      jwtAudience: [props.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    const routes = [
      ...this.api.addRoutes({
        path: '/public/{tenantSlug}/catalog',
        methods: [apigwv2.HttpMethod.GET],
        integration: new HttpLambdaIntegration('CatalogIntegration', this.catalogHandler.live),
      }),
      ...this.api.addRoutes({
        path: '/public/track/{trackingId}',
        methods: [apigwv2.HttpMethod.GET],
        integration: new HttpLambdaIntegration('TrackingIntegration', this.trackingHandler.live),
      }),
    ];
    this.api.addRoutes({
      path: '/me',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('MeIntegration', this.meHandler.live),
      authorizer: this.authorizer,
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'public by design: the storefront and the tracking page are read by anonymous visitors',
      });
    }

    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    // RouteSettings is untyped JSON in the L1, so it is written as CloudFormation spells it.
    cfnStage.routeSettings = Object.fromEntries(
      Object.entries(ROUTE_THROTTLES).map(([routeKey, limits]) => [
        routeKey,
        { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
      ]),
    );
    // HTTP APIs have no execution logs (unlike REST and WebSocket stages): the access log is all there is.
    this.node.addValidation({ validate: () => this.checkRouteSettings() });
    new CfnOutput(this, 'Url', {
      value: this.url,
      description: 'The public HTTP API (storefront, tracking, /me)',
    });
  }

  /** The API's URL (its `$default` stage). */
  get url(): string {
    return this.stage.url;
  }

  /** Route settings must name routes that exist, or they silently throttle nothing. */
  private checkRouteSettings(): string[] {
    const existing = this.api.node
      .findAll()
      .filter((c): c is apigwv2.HttpRoute => c instanceof apigwv2.HttpRoute)
      .map((route) => (route.node.defaultChild as apigwv2.CfnRoute).routeKey);
    return Object.keys(ROUTE_THROTTLES)
      .filter((key) => !existing.includes(key))
      .map((key) => `route throttle for '${key}' names no route of the public API: fix ROUTE_THROTTLES`);
  }
}
