import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { documentClient } from '../../shared/dynamo';
import { httpRouter, type ProxyHandler, parseJsonBody } from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { principalFromLambdaAuthorizer } from '../../shared/tenant-context';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { tracer } from '../../shared/tracer';
import { type PartnerClientsConfig, readPartnerClientsConfig } from './config';
import { createPartnerClientSchema } from './partner-client-schemas';
import { createPartnerClientsService } from './partner-clients-service';

/**
 * `POST /partner-clients` and `GET /partner-clients` behind the REST API's Lambda authorizer, wired to `config`.
 * The Cognito client's endpoint comes from the SDK's own resolution (`AWS_ENDPOINT_URL_*`, which the local cloud
 * sets), so the handler has no local-mode branch. The tenant's list of clients is read with a session of the
 * caller's tenant; a client's binding, keyed by client id outside any tenant's prefix, with the function's own role.
 */
export function createPartnerClientsHandler(
  config: PartnerClientsConfig,
  idp: CognitoIdentityProviderClient = tracer.captureAWSv3Client(new CognitoIdentityProviderClient({})),
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
): ProxyHandler {
  const partnerClients = createPartnerClientsService(
    {
      idp,
      documents: documentClient,
      userPoolId: config.USER_POOL_ID,
      tableName: config.TABLE_NAME,
    },
    config.TOKEN_URL,
    tenantData.tableClients().forTenant,
  );
  return httpRouter(
    {
      'POST /partner-clients': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        const request = parseJsonBody(event, createPartnerClientSchema);
        // The secret is in this answer only: no cache on the way may keep it.
        return {
          statusCode: 201,
          body: await partnerClients.create(principal, request),
          headers: { 'Cache-Control': 'no-store' },
        };
      },
      'GET /partner-clients': async (event) => ({
        statusCode: 200,
        body: await partnerClients.list(principalFromLambdaAuthorizer(event)),
      }),
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() =>
  instrumented(createPartnerClientsHandler(readPartnerClientsConfig())),
);
