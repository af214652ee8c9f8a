import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  httpRouter,
  memberLocation,
  type ProxyHandler,
  parseJsonBody,
  parseQuery,
  pathParameter,
} from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { logger } from '../../shared/logger';
import { readTenantUsage } from '../../shared/tenant-usage';
import { tracer } from '../../shared/tracer';
import { parseWith } from '../../shared/validation';
import { createApiKeys } from './api-keys';
import { readTenantsConfig, type TenantsConfig } from './config';
import { createIdentityProvider } from './identity-provider';
import { createOffboardingRecords } from './offboarding-records';
import { createTenantDirectory } from './tenant-directory';
import { createTenantEnforcement } from './tenant-enforcement';
import { createTenantOperations, type OperatorRequest } from './tenant-operations';
import {
  listTenantsQuerySchema,
  onboardTenantSchema,
  patchTenantSchema,
  tenantIdParameterSchema,
} from './tenant-schemas';
import { createTenantsRepository } from './tenants-repository';
import { createTenantsService } from './tenants-service';

/** The IAM principal that signed the request (AWS_IAM already authenticated it), as the audit trail names it. */
function operatorRequest(event: APIGatewayProxyEvent): OperatorRequest {
  const { identity, requestId } = event.requestContext;
  return {
    actor: { kind: 'operator', id: identity.userArn ?? identity.caller ?? identity.accessKey ?? 'unknown' },
    requestId,
  };
}

const tenantIdOf = (event: APIGatewayProxyEvent) =>
  parseWith(tenantIdParameterSchema, pathParameter(event, 'tenantId'), 'path parameter tenantId');

/** The operator API behind `/tenants` (AWS_IAM): onboarding and the tenant lifecycle, wired to `config`. */
export function createTenantsHandler(config: TenantsConfig): ProxyHandler {
  const apiGateway = tracer.captureAWSv3Client(new APIGatewayClient({}));
  const apiKeys = createApiKeys(
    { basic: config.BASIC_USAGE_PLAN_NAME, premium: config.PREMIUM_USAGE_PLAN_NAME },
    apiGateway,
  );
  const tenants = createTenantsService({
    repository: createTenantsRepository(config.TABLE_NAME),
    apiKeys,
    identityProvider: createIdentityProvider(config.USER_POOL_ID),
  });
  const operations = createTenantOperations({
    directory: createTenantDirectory(config.TABLE_NAME),
    apiKeys,
    enforcement: createTenantEnforcement({
      tableName: config.TABLE_NAME,
      restApiId: config.REST_API_ID,
      stageName: config.STAGE_NAME,
      stageCache: config.STAGE_CACHE === 'on',
      callbackUrl: config.CALLBACK_URL,
    }),
    usage: (apiKeyId) => readTenantUsage(apiGateway, apiKeyId),
    offboarding: createOffboardingRecords({
      tableName: config.TABLE_NAME,
      queueUrl: config.OFFBOARDING_QUEUE_URL,
      bucket: config.FILES_BUCKET_NAME,
    }),
  });
  return httpRouter(
    {
      // Operators and back-office systems sign with SigV4.
      'POST /tenants': async (event) => {
        const { caller, userArn } = event.requestContext.identity;
        // IAM already authenticated the caller; record who onboarded what for the audit trail.
        logger.info('tenant onboarding requested', { caller, userArn });
        const { result, created } = await tenants.onboardTenant(parseJsonBody(event, onboardTenantSchema));
        return { statusCode: created ? 201 : 200, body: result };
      },
      'GET /tenants': async (event) => ({
        statusCode: 200,
        body: await operations.listTenants(parseQuery(event, listTenantsQuerySchema)),
      }),
      'GET /tenants/{tenantId}': async (event) => ({
        statusCode: 200,
        body: await operations.getTenant(tenantIdOf(event)),
      }),
      'PATCH /tenants/{tenantId}': async (event) => {
        const tenantId = tenantIdOf(event);
        const { tier } = parseJsonBody(event, patchTenantSchema);
        return { statusCode: 200, body: await operations.changeTier(tenantId, tier, operatorRequest(event)) };
      },
      'POST /tenants/{tenantId}/suspend': async (event) => ({
        statusCode: 200,
        body: await operations.suspend(tenantIdOf(event), operatorRequest(event)),
      }),
      'DELETE /tenants/{tenantId}': async (event) => {
        const tenantId = tenantIdOf(event);
        return {
          statusCode: 202,
          body: await operations.offboard(tenantId, operatorRequest(event)),
          headers: { Location: memberLocation(event, '').replace(/\/$/, '') },
        };
      },
      'POST /tenants/{tenantId}/reactivate': async (event) => ({
        statusCode: 200,
        body: await operations.reactivate(tenantIdOf(event), operatorRequest(event)),
      }),
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createTenantsHandler(readTenantsConfig())));
