import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { TenantProfile } from '../../shared/codecs/tenant-profile-codec';
import { logger } from '../../shared/logger';
import { bearerToken } from './bearer-token';
import type { IdTokenIdentity, IdTokenVerifier } from './id-token-verifier';
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
  dependencies: AuthorizeDependencies,
): Promise<APIGatewayAuthorizerResult> {
  const { identity, profile } = await authenticate(bearerToken(event.authorizationToken), dependencies);
  return authorizerResult(event.methodArn, {
    ...identity,
    tier: profile.tier,
    apiKeyValue: profile.apiKeyValue,
  });
}

/** A caller whose ID token verified, with the profile of its (ACTIVE) tenant. */
export interface AuthenticatedCaller {
  readonly identity: IdTokenIdentity;
  readonly profile: TenantProfile;
}

/**
 * The verification rules every authorizer of this product applies to an ID token, wherever the token came from
 * (the REST API's `Authorization` header, the WebSocket API's `?token=`): the token verifies, and its tenant has
 * a profile, is ACTIVE and is the tenant the profile names. A denial throws `Unauthorized`; a fault propagates.
 */
export async function authenticate(
  token: string,
  { verifier, tenantProfile }: AuthorizeDependencies,
): Promise<AuthenticatedCaller> {
  const identity = await verifier.verify(token);
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
  return { identity, profile };
}
