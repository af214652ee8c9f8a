import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { TenantProfile } from '../../shared/codecs/tenant-profile-codec';
import { logger } from '../../shared/logger';
import { bearerToken } from './bearer-token';
import type { IdTokenVerifier } from './id-token-verifier';
import { authorizerResult } from './policy';
import { isRejection, reject } from './rejection';

/** What authorization depends on, so the handler wires real adapters and nothing else. */
export interface AuthorizeDependencies {
  readonly verifier: IdTokenVerifier;
  readonly tenantProfile: (tenantId: string) => Promise<TenantProfile | undefined>;
}

/**
 * Admits a caller whose ID token verifies and whose tenant is ACTIVE, with a policy covering every route its
 * role may call. Every denial throws `Unauthorized`; every other error is a fault and propagates: API Gateway
 * answers 500 and, since no policy was returned, nothing is granted or cached.
 */
export async function authorize(
  event: APIGatewayTokenAuthorizerEvent,
  dependencies: AuthorizeDependencies,
): Promise<APIGatewayAuthorizerResult> {
  try {
    return await decide(event, dependencies);
  } catch (error) {
    // Denials were logged where they were decided; a fault is logged here, with its cause chain.
    if (!isRejection(error)) logger.error('authorizer fault', error instanceof Error ? error : String(error));
    throw error;
  }
}

async function decide(
  event: APIGatewayTokenAuthorizerEvent,
  { verifier, tenantProfile }: AuthorizeDependencies,
): Promise<APIGatewayAuthorizerResult> {
  const identity = await verifier.verify(bearerToken(event.authorizationToken));
  const profile = await tenantProfile(identity.tenantId);
  if (!profile)
    return reject('tenant has no profile', { tenantId: identity.tenantId, userId: identity.userId });
  if (profile.status !== 'ACTIVE') {
    return reject('tenant is not active', { tenantId: identity.tenantId, status: profile.status });
  }
  if (profile.tenantId !== identity.tenantId) {
    // A profile stored under another tenant's key is corrupt data: a fault, not a denial.
    throw new Error(`tenant profile ${identity.tenantId} is inconsistent: it names ${profile.tenantId}`);
  }
  return authorizerResult(event.methodArn, {
    ...identity,
    tier: profile.tier,
    apiKeyValue: profile.apiKeyValue,
  });
}
