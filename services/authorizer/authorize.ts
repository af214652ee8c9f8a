import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { bearerToken } from './bearer-token';
import type { IdTokenVerifier } from './id-token-verifier';
import { authorizerResult } from './policy';
import { reject } from './rejection';
import type { TenantProfile } from './tenant-profiles';

/** What authorization depends on, so the handler wires real adapters and nothing else. */
export interface AuthorizeDependencies {
  readonly verifier: IdTokenVerifier;
  readonly tenantProfile: (tenantId: string) => Promise<TenantProfile | undefined>;
}

/**
 * Admits a caller whose ID token verifies and whose tenant is ACTIVE, with a policy covering every route its
 * role may call. Every denial throws `Unauthorized`; every other error is a fault and propagates (500).
 */
export async function authorize(
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
  if (profile.tenantId !== identity.tenantId || !profile.apiKeyValue) {
    // An ACTIVE profile without its key (or under another id) is corrupt data: a fault, not a denial.
    throw new Error(`tenant profile ${identity.tenantId} is inconsistent`);
  }
  return authorizerResult(event.methodArn, {
    ...identity,
    tier: profile.tier,
    apiKeyValue: profile.apiKeyValue,
  });
}
