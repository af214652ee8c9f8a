import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { auditEnvironment } from '../services/audit/environment';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantDataRole } from './tenant-data-role';
import type { TenantRestApi } from './tenant-rest-api';

export interface AuditApiProps {
  readonly api: TenantRestApi;
  /** Guards the route: the tenant comes from the verified token. */
  readonly authorizer: TenantAuthorizer;
  /** The single table: the tenants' audit trails. */
  readonly table: dynamodb.ITable;
  /** The role the trail is read with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  readonly allowedOrigins: readonly string[];
}

/**
 * `GET /audit` behind the Lambda authorizer: a tenant admin reads its tenant's audit trail, through a session of
 * that tenant; the function's own role has nothing on the table.
 */
export class AuditApi extends Construct {
  readonly handler: ServiceFunction<typeof auditEnvironment>;

  constructor(scope: Construct, id: string, props: AuditApiProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'audit',
      environment: auditEnvironment,
      description: "GET /audit: the caller's tenant's audit trail, newest first",
      memorySize: 256,
    })
      // The trail (TENANT#<id>#AUDIT) is tenant data: read with the caller's tenant's session only.
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindValue('TABLE_NAME', props.table.tableName)
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS');
    const method = props.api.root
      .addResource('audit')
      .addMethod(
        'GET',
        new apigw.LambdaIntegration(this.handler.live, { proxy: true }),
        props.authorizer.methodOptions,
      );
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and adds tenant policy and API key',
    });
  }
}
