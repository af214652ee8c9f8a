import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { tenantsEnvironment } from '../services/tenants/environment';
import { onboardTenantSchema, patchTenantSchema } from '../services/tenants/tenant-schemas';
import { TABLE } from '../shared/table';
import { TENANT_FILES } from '../shared/tenant-files';
import { ServiceFunction } from './service-function';
import type { TenantRestApi } from './tenant-rest-api';
import type { TenantUsagePlans } from './usage-plans';

export interface TenantOnboardingProps {
  /** The API `/tenants` is added to. */
  readonly api: TenantRestApi;
  /** The tier plans each tenant's API key is attached to (and moved between). */
  readonly usagePlans: TenantUsagePlans;
  /** The pool the tenant's admin user is created in. */
  readonly userPool: cognito.IUserPool;
  /** The single table: tenant name claims, profiles, the directory, audit entries, connections. */
  readonly table: dynamodb.ITable;
  /** Origins allowed by CORS on the function's responses. */
  readonly allowedOrigins: readonly string[];
  /** The live-updates WebSocket stage whose connections a suspension closes. */
  readonly liveUpdatesStage: apigwv2.WebSocketStage;
  /** The offboarding job's queue (`DELETE /tenants/{id}` sends to it). */
  readonly offboardingQueue: sqs.IQueue;
  /** The tenant files bucket: the tombstone links the export there. */
  readonly files: s3.IBucket;
}

/**
 * The operator API under `/tenants` (AWS_IAM: operators and back-office systems): onboarding (`POST /tenants`),
 * the directory (`GET /tenants`, `GET /tenants/{tenantId}`), tier changes (`PATCH`), and suspension and
 * reactivation. The function may do exactly that: table reads and writes (the directory on GSI1), three admin
 * calls on the one pool, key and plan-key calls on API Gateway, the REST stage's authorizer (and response) cache
 * flushes, and closing connections of the live-updates stage.
 */
export class TenantOnboarding extends Construct {
  readonly handler: ServiceFunction<typeof tenantsEnvironment>;

  constructor(scope: Construct, id: string, props: TenantOnboardingProps) {
    super(scope, id);
    const { api } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'tenants',
      environment: tenantsEnvironment,
      description: 'Operator API: tenant onboarding, directory, tier changes, suspension and reactivation',
      timeout: Duration.seconds(20),
    })
      .bindTable(
        props.table,
        'TABLE_NAME',
        [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:DeleteItem',
        ],
        { indexes: [TABLE.gsi1.name] },
      )
      .bindUserPool(props.userPool, 'USER_POOL_ID', [
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminAddUserToGroup',
      ])
      .bindUsagePlan('BASIC_USAGE_PLAN_NAME', props.usagePlans.names.basic)
      .bindUsagePlan('PREMIUM_USAGE_PLAN_NAME', props.usagePlans.names.premium)
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS')
      .bindValue('REST_API_ID', api.api.restApiId)
      .bindValue('STAGE_NAME', api.stageName)
      .bindValue('STAGE_CACHE', api.cacheEnabled ? 'on' : 'off')
      .bindConnectionsApi(props.liveUpdatesStage, 'CALLBACK_URL', 'DELETE')
      .bindQueue(props.offboardingQueue, 'OFFBOARDING_QUEUE_URL', ['sqs:SendMessage'])
      .bindBucket(props.files, 'FILES_BUCKET_NAME', ['s3:GetObject'], [TENANT_FILES.pattern('exports')]);

    // Suspension and tier changes: a key's enabled flag (PATCH), its plan bindings (DELETE), and this stage's
    // authorizer and response caches (DELETE); a tier change also reads the key's binding and usage on the old
    // plan (GET) and sets its remaining quota on the new one (PATCH of the plan key's usage), and GET
    // /tenants/{id} reads the usage (GET). Nothing else of API Gateway.
    const stack = Stack.of(this);
    const apigwArn = (path: string) =>
      stack.formatArn({ service: 'apigateway', account: '', resource: path });
    const stagePath = `/restapis/${api.api.restApiId}/stages/${api.stageName}`;
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:PATCH'],
        resources: [apigwArn('/apikeys/*'), apigwArn('/usageplans/*/keys/*/usage')],
      }),
    );
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:GET'],
        resources: [apigwArn('/usageplans/*/usage'), apigwArn('/usageplans/*/keys/*')],
      }),
    );
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:DELETE'],
        resources: [
          apigwArn('/usageplans/*/keys/*'),
          apigwArn(`${stagePath}/cache/authorizers`),
          ...(api.cacheEnabled ? [apigwArn(`${stagePath}/cache/data`)] : []),
        ],
      }),
    );
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    Validations.of(this.handler).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::/usageplans/*/keys/*]`,
      reason:
        'plan and key ids are only known at run time (see bindUsagePlan); the grants are GET and DELETE of plan keys only',
    });
    for (const path of ['/usageplans/*/usage', '/usageplans/*/keys/*/usage']) {
      Validations.of(this.handler).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::${path}]`,
        reason:
          "plan and key ids are only known at run time (see bindUsagePlan); the grants read a key's usage and set its remaining quota on a tier change",
      });
    }

    const integration = new apigw.LambdaIntegration(this.handler.live, { proxy: true });
    const iamAuth = { authorizationType: apigw.AuthorizationType.IAM };
    const tenants = api.root.addResource('tenants');
    const onboard = tenants.addMethod('POST', integration, {
      ...iamAuth,
      ...api.requestBody('CreateTenant', onboardTenantSchema),
    });
    api.addMethodSettings(onboard, { throttlingRateLimit: 1, throttlingBurstLimit: 2 });
    tenants.addMethod('GET', integration, iamAuth);
    const tenant = tenants.addResource('{tenantId}');
    tenant.addMethod('GET', integration, iamAuth);
    tenant.addMethod('PATCH', integration, {
      ...iamAuth,
      ...api.requestBody('PatchTenant', patchTenantSchema),
    });
    tenant.addMethod('DELETE', integration, iamAuth);
    tenant.addResource('suspend').addMethod('POST', integration, iamAuth);
    tenant.addResource('reactivate').addMethod('POST', integration, iamAuth);
    Validations.of(tenants).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'the operator API is authorized with IAM (SigV4), not by a tenant user',
    });
  }
}
