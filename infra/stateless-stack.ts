import { Duration, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { catalogItemInputSchema } from '../services/catalog/catalog-schemas';
import { createOrderSchema, updateOrderSchema } from '../services/orders/order-schemas';
import { onboardTenantSchema } from '../services/tenants/tenant-schemas';
import { TABLE } from '../shared/table';
import type { StageConfig } from './config';
import { modelFromZod } from './request-models';
import { RestFrontDoor } from './rest-api';
import { ServiceFunction } from './service-function';
import { TenantUsagePlans } from './usage-plans';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
}

const CATALOG_CACHE_TTL = Duration.seconds(300);

/** The APIs and the functions behind them. Holds no data, so it can be destroyed and redeployed freely. */
export class StatelessStack extends Stack {
  readonly api: apigw.RestApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, idempotencyTable, userPool, userPoolClient } = props;
    const allowedOrigins = config.allowedOrigins.join(',');

    // --- functions -------------------------------------------------------------------------------
    const authorizerFn = new ServiceFunction(this, 'Authorizer', {
      service: 'authorizer',
      description:
        'REST Lambda authorizer: verifies Cognito ID tokens (aws-jwt-verify), returns the tenant policy and API key',
      memorySize: 256,
      timeout: Duration.seconds(5),
    })
      .bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem'])
      .bindValue('ISSUER', userPool.userPoolProviderUrl)
      .bindValue('JWKS_URI', `${userPool.userPoolProviderUrl}/.well-known/jwks.json`)
      .bindValue('USER_POOL_CLIENT_ID', userPoolClient.userPoolClientId);

    const ordersFn = new ServiceFunction(this, 'Orders', {
      service: 'orders',
      description: 'Tenant-scoped orders: create (idempotent), list, get, update, cancel',
      environment: { ALLOWED_ORIGINS: allowedOrigins },
    })
      .bindTable(
        table,
        'TABLE_NAME',
        [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        { indexes: [TABLE.gsi1.name] },
      )
      .bindTable(idempotencyTable, 'IDEMPOTENCY_TABLE_NAME', [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ]);

    const catalogFn = new ServiceFunction(this, 'Catalog', {
      service: 'catalog',
      description: 'Tenant catalog: list, get, upsert (admins)',
      environment: { ALLOWED_ORIGINS: allowedOrigins },
    }).bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']);

    const tenantsFn = new ServiceFunction(this, 'Tenants', {
      service: 'tenants',
      description: 'Tenant onboarding: tenant record, admin user, per-tenant API key on the tier usage plan',
      timeout: Duration.seconds(20),
      environment: { ALLOWED_ORIGINS: allowedOrigins },
    }).bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);

    // --- the REST API ----------------------------------------------------------------------------
    const cached = { cachingEnabled: true, cacheTtl: CATALOG_CACHE_TTL, cacheDataEncrypted: true };
    const front = new RestFrontDoor(this, 'Rest', {
      stageName: config.stage,
      allowedOrigins: config.allowedOrigins,
      methodSettings: {
        '/catalog/GET': cached,
        '/catalog/{sku}/GET': cached,
        '/orders/POST': { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
        '/catalog/{sku}/PUT': { throttlingRateLimit: 5, throttlingBurstLimit: 10 },
        '/tenants/POST': { throttlingRateLimit: 1, throttlingBurstLimit: 2 },
      },
    });
    const api = front.api;
    this.api = api;

    // Onboarding finds the tier plans by name: their ids cannot be passed in, because a plan depends on the
    // stage, the stage on every method, and the POST /tenants method on this very function.
    const plans = new TenantUsagePlans(this, 'UsagePlans', { api });
    tenantsFn
      .bindValue('USER_POOL_ID', userPool.userPoolId)
      .bindValue('BASIC_USAGE_PLAN_NAME', plans.names.basic)
      .bindValue('PREMIUM_USAGE_PLAN_NAME', plans.names.premium);
    // It creates the admin user in this pool and the tenant's API key on a tier plan: nothing more.
    tenantsFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminGetUser',
          'cognito-idp:AdminAddUserToGroup',
        ],
        resources: [userPool.userPoolArn],
      }),
    );
    const apigwArn = (path: string) => this.formatArn({ service: 'apigateway', account: '', resource: path });
    tenantsFn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:GET', 'apigateway:POST'],
        resources: [
          apigwArn('/apikeys'),
          apigwArn('/apikeys/*'),
          apigwArn('/usageplans'),
          apigwArn('/usageplans/*/keys'),
        ],
      }),
    );
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    for (const [path, reason] of [
      ['/apikeys/*', 'tenant API keys are created at run time, so their ids are only known then'],
      ['/usageplans/*/keys', 'plan ids cannot be referenced here without a dependency cycle (see above)'],
    ]) {
      Validations.of(tenantsFn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::${path}]`,
        reason: reason ?? '',
      });
    }

    const tokenAuthorizer = new apigw.TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: authorizerFn.function,
      identitySource: apigw.IdentitySource.header('Authorization'),
      validationRegex: '^Bearer [-0-9A-Za-z._~+/]+=*$',
      resultsCacheTtl: Duration.seconds(300),
    });
    const cognitoAuthorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
      cognitoUserPools: [userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.seconds(300),
    });

    const validateBody = new apigw.RequestValidator(this, 'BodyValidator', {
      restApi: api,
      validateRequestBody: true,
      validateRequestParameters: false,
    });
    const withBody = (
      id: string,
      schema: Parameters<typeof modelFromZod>[2],
    ): Partial<apigw.MethodOptions> => ({
      requestValidator: validateBody,
      requestModels: { 'application/json': modelFromZod(api, id, schema) },
    });
    const byLambdaAuthorizer: apigw.MethodOptions = {
      authorizationType: apigw.AuthorizationType.CUSTOM,
      authorizer: tokenAuthorizer,
      apiKeyRequired: true,
    };
    const byCognito: apigw.MethodOptions = {
      authorizationType: apigw.AuthorizationType.COGNITO,
      authorizer: cognitoAuthorizer,
    };
    const lambda = (fn: ServiceFunction, cacheKeyParameters?: string[]) =>
      new apigw.LambdaIntegration(fn.function, {
        proxy: true,
        ...(cacheKeyParameters ? { cacheKeyParameters } : {}),
      });

    // Cached GETs are keyed by the caller's token and the page/sku, so no user ever receives another's entry.
    const catalogListKeys = [
      'method.request.header.Authorization',
      'method.request.querystring.limit',
      'method.request.querystring.nextToken',
    ];
    const catalogItemKeys = ['method.request.header.Authorization', 'method.request.path.sku'];
    const requestParameters = (keys: string[]) =>
      Object.fromEntries(keys.map((k) => [k, k.includes('.header.')]));

    // --- routes: this block reads like the API spec ----------------------------------------------
    const tenants = api.root.addResource('tenants');
    tenants.addMethod('POST', lambda(tenantsFn), {
      authorizationType: apigw.AuthorizationType.IAM,
      ...withBody('CreateTenant', onboardTenantSchema),
    });

    const catalog = api.root.addResource('catalog');
    catalog.addMethod('GET', lambda(catalogFn, catalogListKeys), {
      ...byCognito,
      requestParameters: requestParameters(catalogListKeys),
    });
    const catalogItem = catalog.addResource('{sku}');
    catalogItem.addMethod('GET', lambda(catalogFn, catalogItemKeys), {
      ...byCognito,
      requestParameters: requestParameters(catalogItemKeys),
    });
    catalogItem.addMethod('PUT', lambda(catalogFn), {
      ...byCognito,
      ...withBody('PutCatalogItem', catalogItemInputSchema),
    });

    const orders = api.root.addResource('orders');
    orders.addMethod('GET', lambda(ordersFn), byLambdaAuthorizer);
    orders.addMethod('POST', lambda(ordersFn), {
      ...byLambdaAuthorizer,
      ...withBody('CreateOrder', createOrderSchema),
    });
    const order = orders.addResource('{orderId}');
    order.addMethod('GET', lambda(ordersFn), byLambdaAuthorizer);
    order.addMethod('PATCH', lambda(ordersFn), {
      ...byLambdaAuthorizer,
      ...withBody('PatchOrder', updateOrderSchema),
    });
    order.addMethod('DELETE', lambda(ordersFn), byLambdaAuthorizer);

    front.acknowledgePreflights();
    Validations.of(tenants).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'onboarding is an operator call authorized with IAM (SigV4), not by a tenant user',
    });
    for (const resource of [orders, order]) {
      for (const verb of ['GET', 'POST', 'PATCH', 'DELETE']) {
        const method = resource.node.tryFindChild(verb);
        if (method) {
          Validations.of(method).acknowledge({
            id: 'AwsSolutions-COG4',
            reason:
              'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and adds tenant policy and API key',
          });
        }
      }
    }
  }
}
