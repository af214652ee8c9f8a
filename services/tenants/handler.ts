import { httpRouter, parseJsonBody } from '../../shared/http';
import { logger } from '../../shared/logger';
import { onboardTenantSchema } from './tenant-schemas';
import { onboardTenant } from './tenants-service';

/** The onboarding Lambda behind `POST /tenants` (AWS_IAM): operators and back-office systems sign with SigV4. */
export const handler = httpRouter({
  'POST /tenants': async (event) => {
    const { caller, userArn } = event.requestContext.identity;
    // IAM already authenticated the caller; record who onboarded what for the audit trail.
    logger.info('tenant onboarding requested', { caller, userArn });
    const { result, created } = await onboardTenant(parseJsonBody(event, onboardTenantSchema));
    return { statusCode: created ? 201 : 200, body: result };
  },
});
