import { httpRouter, type ProxyHandler, parseJsonBody } from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { logger } from '../../shared/logger';
import { createApiKeys } from './api-keys';
import { readTenantsConfig, type TenantsConfig } from './config';
import { createIdentityProvider } from './identity-provider';
import { onboardTenantSchema } from './tenant-schemas';
import { createTenantsRepository } from './tenants-repository';
import { createTenantsService } from './tenants-service';

/** The onboarding Lambda behind `POST /tenants` (AWS_IAM), wired to `config`. */
export function createTenantsHandler(config: TenantsConfig): ProxyHandler {
  const tenants = createTenantsService({
    repository: createTenantsRepository(config.TABLE_NAME),
    apiKeys: createApiKeys({ basic: config.BASIC_USAGE_PLAN_NAME, premium: config.PREMIUM_USAGE_PLAN_NAME }),
    identityProvider: createIdentityProvider(config.USER_POOL_ID),
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
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createTenantsHandler(readTenantsConfig())));
