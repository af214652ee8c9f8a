import { Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { usersEnvironment } from '../services/users/environment';
import { inviteUserSchema, updateUserSchema } from '../services/users/user-schemas';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantDataRole } from './tenant-data-role';
import type { TenantRestApi } from './tenant-rest-api';

export interface UsersApiProps {
  /** The API the routes are added to. */
  readonly api: TenantRestApi;
  /** Guards every route: the tenant comes from the verified token, and its API key meters the call. */
  readonly authorizer: TenantAuthorizer;
  /** The pool the tenant's users live in. */
  readonly userPool: cognito.IUserPool;
  /** The single table: the tenants' user directories and audit trails. */
  readonly table: dynamodb.ITable;
  /** The role the directory and the audit trail are reached with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  /** Origins allowed by CORS on the function's responses. */
  readonly allowedOrigins: readonly string[];
}

/**
 * `/users` behind the Lambda authorizer: a tenant admin invites, lists, changes (role, enabled) and deletes its own
 * tenant's users. The function may make the admin calls that needs on the one pool and flush exactly this stage's
 * authorizer cache (so a disabled user's cached Allow ends at once); the directory and the audit trail it reads and
 * writes through a session of the caller's tenant, its own role having nothing on the table.
 */
export class UsersApi extends Construct {
  readonly handler: ServiceFunction<typeof usersEnvironment>;

  constructor(scope: Construct, id: string, props: UsersApiProps) {
    super(scope, id);
    const { api, authorizer } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'users',
      environment: usersEnvironment,
      description: "The caller's tenant's users: invite, list, change role or enabled, delete (admins)",
    })
      // The directory (TENANT#<id>#USERS) and the audit trail (TENANT#<id>#AUDIT) are tenant data, reached through
      // the tenant data role only (its transactions are authorized item by item as Put and Update).
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindValue('TABLE_NAME', props.table.tableName)
      .bindUserPool(props.userPool, 'USER_POOL_ID', [
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:AdminDisableUser',
        'cognito-idp:AdminEnableUser',
        'cognito-idp:AdminDeleteUser',
      ])
      .bindValue('REST_API_ID', api.api.restApiId)
      .bindValue('STAGE_NAME', api.stageName)
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS');
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:DELETE'],
        resources: [
          Stack.of(this).formatArn({
            service: 'apigateway',
            account: '',
            resource: `/restapis/${api.api.restApiId}/stages/${api.stageName}/cache/authorizers`,
          }),
        ],
      }),
    );

    const integration = new apigw.LambdaIntegration(this.handler.live, { proxy: true });
    const guarded = authorizer.methodOptions;
    const users = api.root.addResource('users');
    const user = users.addResource('{userId}');
    const methods = [
      users.addMethod('GET', integration, guarded),
      users.addMethod('POST', integration, {
        ...guarded,
        ...api.requestBody('InviteUser', inviteUserSchema),
      }),
      user.addMethod('GET', integration, guarded),
      user.addMethod('PATCH', integration, {
        ...guarded,
        ...api.requestBody('UpdateUser', updateUserSchema),
      }),
      user.addMethod('DELETE', integration, guarded),
    ];
    for (const method of methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and adds tenant policy and API key',
      });
    }
  }
}
