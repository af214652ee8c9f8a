import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tenantsEnvironment } from '../services/tenants/environment';
import { onboardTenantSchema } from '../services/tenants/tenant-schemas';
import { ServiceFunction } from './service-function';
import type { TenantRestApi } from './tenant-rest-api';
import type { TenantUsagePlans } from './usage-plans';

export interface TenantOnboardingProps {
  /** The API `POST /tenants` is added to. */
  readonly api: TenantRestApi;
  /** The tier plans each new tenant's API key is attached to. */
  readonly usagePlans: TenantUsagePlans;
  /** The pool the tenant's admin user is created in. */
  readonly userPool: cognito.IUserPool;
  /** The single table: tenant name claims and profiles. */
  readonly table: dynamodb.ITable;
  /** Origins allowed by CORS on the function's responses. */
  readonly allowedOrigins: readonly string[];
}

/**
 * `POST /tenants` (AWS_IAM: operators and back-office systems): claims the tenant's name, writes its profile,
 * creates its API key on the tier's usage plan and its admin user in the pool. The function may do exactly
 * that: Get/Put/Update on the table, three admin calls on the one pool, key and plan-key calls on API Gateway.
 */
export class TenantOnboarding extends Construct {
  readonly handler: ServiceFunction<typeof tenantsEnvironment>;

  constructor(scope: Construct, id: string, props: TenantOnboardingProps) {
    super(scope, id);
    const { api } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'tenants',
      environment: tenantsEnvironment,
      description: 'Tenant onboarding: tenant record, admin user, per-tenant API key on the tier usage plan',
      timeout: Duration.seconds(20),
    })
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'])
      .bindUserPool(props.userPool, 'USER_POOL_ID', [
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminAddUserToGroup',
      ])
      .bindUsagePlan('BASIC_USAGE_PLAN_NAME', props.usagePlans.names.basic)
      .bindUsagePlan('PREMIUM_USAGE_PLAN_NAME', props.usagePlans.names.premium)
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS');

    const tenants = api.root.addResource('tenants');
    const onboard = tenants.addMethod(
      'POST',
      new apigw.LambdaIntegration(this.handler.live, { proxy: true }),
      {
        authorizationType: apigw.AuthorizationType.IAM,
        ...api.requestBody('CreateTenant', onboardTenantSchema),
      },
    );
    api.addMethodSettings(onboard, { throttlingRateLimit: 1, throttlingBurstLimit: 2 });
    Validations.of(tenants).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'onboarding is an operator call authorized with IAM (SigV4), not by a tenant user',
    });
  }
}
