import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { httpRouter, type ProxyHandler, parseJsonBody, parseQuery, pathParameter } from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { principalFromLambdaAuthorizer } from '../../shared/tenant-context';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { tracer } from '../../shared/tracer';
import { createAuthorizerCache } from './authorizer-cache';
import { readUsersConfig, type UsersConfig } from './config';
import { createDirectoryRepository } from './directory-repository';
import { createUserPool } from './user-pool';
import { inviteUserSchema, listUsersQuerySchema, updateUserSchema } from './user-schemas';
import { type Caller, createUsersService } from './users-service';

/** The AWS clients user administration calls; tests pass their own. */
export interface UsersClients {
  readonly cognito?: CognitoIdentityProviderClient;
  readonly apiGateway?: APIGatewayClient;
}

function callerOf(event: APIGatewayProxyEvent): Caller {
  return { principal: principalFromLambdaAuthorizer(event), requestId: event.requestContext.requestId };
}

/**
 * `POST/GET /users`, `GET/PATCH/DELETE /users/{userId}` behind the REST API's Lambda authorizer, wired to
 * `config`. The AWS clients' endpoints come from the SDK's own resolution (`AWS_ENDPOINT_URL_*`, which the local
 * cloud sets), so the handler has no local-mode branch.
 */
export function createUsersHandler(
  config: UsersConfig,
  clients: UsersClients = {},
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
): ProxyHandler {
  // The directory and the audit trail are the caller's tenant's data: reached with its tenant session only.
  const table = tenantData.tableClients();
  const users = createUsersService({
    directory: createDirectoryRepository(config.TABLE_NAME, table),
    pool: createUserPool(
      config.USER_POOL_ID,
      clients.cognito ?? tracer.captureAWSv3Client(new CognitoIdentityProviderClient({})),
    ),
    authorizerCache: createAuthorizerCache(
      { restApiId: config.REST_API_ID, stageName: config.STAGE_NAME },
      clients.apiGateway ?? tracer.captureAWSv3Client(new APIGatewayClient({})),
    ),
    audit: { tableName: config.TABLE_NAME, clientFor: table.forTenant },
  });
  return httpRouter(
    {
      'POST /users': async (event) => ({
        statusCode: 201,
        body: await users.invite(callerOf(event), parseJsonBody(event, inviteUserSchema)),
      }),
      'GET /users': async (event) => ({
        statusCode: 200,
        body: await users.list(callerOf(event), parseQuery(event, listUsersQuerySchema)),
      }),
      'GET /users/{userId}': async (event) => ({
        statusCode: 200,
        body: await users.get(callerOf(event), pathParameter(event, 'userId')),
      }),
      'PATCH /users/{userId}': async (event) => {
        const caller = callerOf(event);
        const userId = pathParameter(event, 'userId');
        return {
          statusCode: 200,
          body: await users.update(caller, userId, parseJsonBody(event, updateUserSchema)),
        };
      },
      'DELETE /users/{userId}': async (event) => {
        await users.remove(callerOf(event), pathParameter(event, 'userId'));
        return { statusCode: 204 };
      },
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createUsersHandler(readUsersConfig())));
