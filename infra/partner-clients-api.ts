import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { partnerClientsEnvironment } from '../services/partner-clients/environment';
import { createPartnerClientSchema } from '../services/partner-clients/partner-client-schemas';
import { partnerClientKeys } from '../shared/keys/partner-client-keys';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantDataRole } from './tenant-data-role';
import type { TenantRestApi } from './tenant-rest-api';

export interface PartnerClientsApiProps {
  /** The API the routes are added to. */
  readonly api: TenantRestApi;
  /** Guards every route: the tenant comes from the verified token, and its API key meters the call. */
  readonly authorizer: TenantAuthorizer;
  /** The pool the machine clients are created in. */
  readonly userPool: cognito.IUserPool;
  /** The Cognito domain's `/oauth2/token`, where the clients get their tokens (told to the admin who creates one). */
  readonly tokenUrl: string;
  /** The single table: the clients' bindings to their tenant. */
  readonly table: dynamodb.ITable;
  /** The role the tenant's list of clients is read with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  /** Origins allowed by CORS on the function's responses. */
  readonly allowedOrigins: readonly string[];
}

/**
 * `/partner-clients` behind the Lambda authorizer: a tenant admin creates a machine client for a partner
 * (client credentials, `events/write`) bound to the admin's tenant, and lists them. The function may create and
 * delete app clients on the one pool (delete undoes a creation whose binding failed) and put bindings
 * (`PARTNERCLIENT#*`, keyed by client id, no tenant's prefix); it lists a tenant's clients (its GSI1 partition)
 * through a session of the caller's tenant.
 */
export class PartnerClientsApi extends Construct {
  readonly handler: ServiceFunction<typeof partnerClientsEnvironment>;

  constructor(scope: Construct, id: string, props: PartnerClientsApiProps) {
    super(scope, id);
    const { api, authorizer } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'partner-clients',
      environment: partnerClientsEnvironment,
      description:
        "Partner machine clients of the caller's tenant: create (client credentials, events/write), list",
    })
      // The tenant's list (GSI1 `TENANT#<id>#PARTNERCLIENTS`) is tenant data, read with the caller's tenant's session;
      // a binding is keyed by client id (what an access token names), not under a tenant's prefix, so the own role
      // puts it.
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:PutItem'], {
        leadingKeys: [partnerClientKeys.leadingKeyPattern],
      })
      .bindUserPool(props.userPool, 'USER_POOL_ID', [
        'cognito-idp:CreateUserPoolClient',
        'cognito-idp:DeleteUserPoolClient',
      ])
      .bindValue('TOKEN_URL', props.tokenUrl)
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS');

    const integration = new apigw.LambdaIntegration(this.handler.live, { proxy: true });
    const guarded = authorizer.methodOptions;
    const clients = api.root.addResource('partner-clients');
    const list = clients.addMethod('GET', integration, guarded);
    const create = clients.addMethod('POST', integration, {
      ...guarded,
      ...api.requestBody('CreatePartnerClient', createPartnerClientSchema),
    });
    for (const method of [list, create]) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and adds tenant policy and API key',
      });
    }
  }
}
