import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { usageEnvironment } from '../services/usage/environment';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantDataRole } from './tenant-data-role';
import type { TenantRestApi } from './tenant-rest-api';

export interface UsageApiProps {
  readonly api: TenantRestApi;
  readonly authorizer: TenantAuthorizer;
  /** The single table: the tenant's profile names its API key. */
  readonly table: dynamodb.ITable;
  /** The role the tenant's profile is read with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  readonly allowedOrigins: readonly string[];
}

/**
 * `GET /usage` behind the Lambda authorizer: the caller's tenant's plan limits and its quota use this period, from
 * API Gateway's usage records for its key. The function reads the caller's tenant's profile through a session of
 * that tenant, and with its own role only the usage plans (the plans' ids cannot be named without a dependency
 * cycle: plan → stage → this method → this function).
 */
export class UsageApi extends Construct {
  readonly handler: ServiceFunction<typeof usageEnvironment>;

  constructor(scope: Construct, id: string, props: UsageApiProps) {
    super(scope, id);
    const { api, authorizer } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'usage',
      environment: usageEnvironment,
      description: "The caller's tenant's plan limits and quota use this period (API Gateway usage records)",
    })
      // The profile (tier, API key id) is the caller's tenant's partition: read with its session, not the own role.
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindValue('TABLE_NAME', props.table.tableName)
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS');
    const stack = Stack.of(this);
    const apigwArn = (path: string) =>
      stack.formatArn({ service: 'apigateway', account: '', resource: path });
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:GET'],
        resources: [apigwArn('/usageplans'), apigwArn('/usageplans/*/usage')],
      }),
    );
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const { role } = this.handler.function;
    if (role === undefined) throw new Error('the usage function has no role');
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::/usageplans/*/usage]`,
      reason: 'plan ids cannot be referenced without a dependency cycle (see ServiceFunction.bindUsagePlan)',
    });
    const method = api.root
      .addResource('usage')
      .addMethod(
        'GET',
        new apigw.LambdaIntegration(this.handler.live, { proxy: true }),
        authorizer.methodOptions,
      );
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and adds tenant policy and API key',
    });
  }
}
