import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { catalogItemInputSchema } from '../services/catalog/catalog-schemas';
import { catalogEnvironment } from '../services/catalog/environment';
import { TABLE } from '../shared/table';
import { TENANT_STATUS_ATTRIBUTES } from '../shared/tenant-status';
import { ServiceFunction } from './service-function';
import type { TenantDataRole } from './tenant-data-role';
import type { TenantRestApi } from './tenant-rest-api';

export interface CatalogApiProps {
  /** The API the routes are added to. */
  readonly api: TenantRestApi;
  /** The pool whose ID tokens the Cognito authorizer accepts (the admin group may write). */
  readonly userPool: cognito.IUserPool;
  /** The single table holding each tenant's catalog. */
  readonly table: dynamodb.ITable;
  /** The role its tenant data is reached with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  /** Origins allowed by CORS on the function's responses. */
  readonly allowedOrigins: readonly string[];
  /**
   * How long catalog GETs are cached at the stage, per caller.
   * @default Duration.seconds(300)
   */
  readonly cacheTtl?: Duration;
}

/**
 * The tenant catalog: `GET /catalog`, `GET /catalog/{sku}` (stage-cached, keyed by the caller's token and the
 * page or SKU, so nobody receives another's entry) and `PUT /catalog/{sku}` (admins, and it flushes the stage
 * cache so readers see the edit at once), behind the Cognito user-pool authorizer.
 */
export class CatalogApi extends Construct {
  readonly handler: ServiceFunction<typeof catalogEnvironment>;
  readonly authorizer: apigw.CognitoUserPoolsAuthorizer;

  constructor(scope: Construct, id: string, props: CatalogApiProps) {
    super(scope, id);
    const { api } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'catalog',
      environment: catalogEnvironment,
      description: 'Tenant catalog: list, get, upsert (admins)',
    })
      // The catalog is tenant data, reached through the tenant data role; the function's own role only reads
      // a tenant's status (the operators' record, which no tenant session may write).
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:GetItem'], {
        leadingKeys: [`TENANT#*#PROFILE`],
        attributes: [TABLE.partitionKey, TABLE.sortKey, ...TENANT_STATUS_ATTRIBUTES],
      })
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS')
      .bindValue('REST_API_ID', api.api.restApiId)
      .bindValue('STAGE_NAME', api.stageName)
      .bindValue('STAGE_CACHE', api.cacheEnabled ? 'on' : 'off');
    // An admin's edit flushes the stage cache (catalog reads are cached per caller): exactly that stage's cache.
    if (api.cacheEnabled) {
      this.handler.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['apigateway:DELETE'],
          resources: [
            Stack.of(this).formatArn({
              service: 'apigateway',
              account: '',
              resource: `/restapis/${api.api.restApiId}/stages/${api.stageName}/cache/data`,
            }),
          ],
        }),
      );
    }

    this.authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.seconds(300),
    });
    const byCognito: apigw.MethodOptions = {
      authorizationType: apigw.AuthorizationType.COGNITO,
      authorizer: this.authorizer,
    };
    const integration = (cacheKeyParameters?: string[]) =>
      new apigw.LambdaIntegration(this.handler.live, {
        proxy: true,
        ...(cacheKeyParameters ? { cacheKeyParameters } : {}),
      });
    const listKeys = [
      'method.request.header.Authorization',
      'method.request.querystring.limit',
      'method.request.querystring.nextToken',
    ];
    const itemKeys = ['method.request.header.Authorization', 'method.request.path.sku'];
    const requestParameters = (keys: string[]) =>
      Object.fromEntries(keys.map((k) => [k, k.includes('.header.')]));

    const catalog = api.root.addResource('catalog');
    const list = catalog.addMethod('GET', integration(listKeys), {
      ...byCognito,
      requestParameters: requestParameters(listKeys),
    });
    const item = catalog.addResource('{sku}');
    const get = item.addMethod('GET', integration(itemKeys), {
      ...byCognito,
      requestParameters: requestParameters(itemKeys),
    });
    item.addMethod('PUT', integration(), {
      ...byCognito,
      ...api.requestBody('PutCatalogItem', catalogItemInputSchema),
    });

    const cached = {
      cachingEnabled: true,
      cacheTtl: props.cacheTtl ?? Duration.seconds(300),
      cacheDataEncrypted: true,
    };
    api.addMethodSettings(list, cached);
    api.addMethodSettings(get, cached);
    // No shared method throttle on a tenant route (a noisy neighbour would spend it): usage plans limit each
    // tenant, the stage ceiling protects the backend.
  }
}
