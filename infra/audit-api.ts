import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { auditEnvironment } from '../services/audit/environment';
import { auditKeys } from '../shared/keys/audit-keys';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantRestApi } from './tenant-rest-api';

export interface AuditApiProps {
  readonly api: TenantRestApi;
  /** Guards the route: the tenant comes from the verified token. */
  readonly authorizer: TenantAuthorizer;
  /** The single table: the tenants' audit trails. */
  readonly table: dynamodb.ITable;
  readonly allowedOrigins: readonly string[];
}

/** `GET /audit` behind the Lambda authorizer: a tenant admin reads its tenant's audit trail. Query only, only there. */
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
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:Query'], {
        // Any tenant's trail (`TENANT#*#AUDIT`): the tenant comes from the authorizer, per request.
        leadingKeys: [auditKeys.partition(`t${'0'.repeat(16)}`).replace(`t${'0'.repeat(16)}`, '*')],
      })
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
