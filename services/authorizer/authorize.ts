import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { TenantProfile } from '../../shared/codecs/tenant-profile-codec';
import { logger } from '../../shared/logger';
import { type DirectoryUser, isActiveUser } from '../../shared/user-directory';
import { bearerToken } from './bearer-token';
import type { IdTokenIdentity, IdTokenVerifier } from './id-token-verifier';
import type { PartnerBinding } from './partner-clients';
import type { PartnerTokenVerifier } from './partner-token-verifier';
import { authorizerResult, partnerAuthorizerResult } from './policy';
import { isRejection, reject } from './rejection';

/** What authorization depends on, so the handler wires real adapters and nothing else. */
export interface AuthorizeDependencies {
  readonly verifier: IdTokenVerifier;
  readonly tenantProfile: (tenantId: string) => Promise<TenantProfile | undefined>;
  /**
   * The user's item in its tenant's directory (shared/user-directory.ts): its role (the token's `custom:role` is
   * immutable, so a role change lives there) and whether it is disabled or deleted. Users the directory does not
   * know (created outside the users API) are judged by their token alone. Without it, tokens are judged alone.
   */
  readonly directoryUser?: (tenantId: string, userId: string) => Promise<DirectoryUser | undefined>;
  /**
   * Partners' machine clients (client credentials): their access tokens and the tenant each client belongs to.
   * Without it, access tokens are refused.
   */
  readonly partners?: {
    readonly verifier: PartnerTokenVerifier;
    readonly binding: (clientId: string) => Promise<PartnerBinding | undefined>;
  };
}

/** The `token_use` a token claims, read before verification only to pick the verifier that then checks it. */
function claimedTokenUse(token: string): unknown {
  try {
    return decomposeUnverifiedJwt(token).payload.token_use;
  } catch {
    return undefined;
  }
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
  const token = bearerToken(event.authorizationToken);
  if (claimedTokenUse(token) === 'access') return authorizePartner(event.methodArn, token, dependencies);
  const { identity, profile } = await authenticate(token, dependencies);
  return authorizerResult(event.methodArn, {
    ...identity,
    tier: profile.tier,
    apiKeyValue: profile.apiKeyValue,
  });
}

/**
 * A partner's machine client: its access token verifies and carries the partner scope, the client is bound to a
 * tenant (the binding, not any claim, names the tenant: a client belongs to exactly one), and that tenant is
 * ACTIVE. It may post events only, metered by its tenant's API key.
 */
async function authorizePartner(
  methodArn: string,
  token: string,
  { partners, tenantProfile }: AuthorizeDependencies,
): Promise<APIGatewayAuthorizerResult> {
  if (partners === undefined) return reject('access tokens are not accepted here');
  const identity = await partners.verifier.verify(token);
  const binding = await partners.binding(identity.clientId);
  if (!binding) return reject("client is no tenant's partner", { clientId: identity.clientId });
  const profile = await tenantProfile(binding.tenantId);
  if (profile?.status !== 'ACTIVE') {
    return reject("partner's tenant is not active", {
      tenantId: binding.tenantId,
      clientId: identity.clientId,
    });
  }
  if (profile.tenantId !== binding.tenantId) {
    throw new Error(`tenant profile ${binding.tenantId} is inconsistent: it names ${profile.tenantId}`);
  }
  return partnerAuthorizerResult(methodArn, {
    clientId: identity.clientId,
    tenantId: binding.tenantId,
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
 * a profile, is ACTIVE and is the tenant the profile names, and its user is not disabled or deleted in the tenant's
 * directory (whose role, when it has one, is the caller's). A denial throws `Unauthorized`; a fault propagates.
 */
export async function authenticate(
  token: string,
  { verifier, tenantProfile, directoryUser }: AuthorizeDependencies,
): Promise<AuthenticatedCaller> {
  const verified = await verifier.verify(token);
  const [profile, user] = await Promise.all([
    tenantProfile(verified.tenantId),
    directoryUser?.(verified.tenantId, verified.userId),
  ]);
  if (user !== undefined && !isActiveUser(user)) {
    return reject('user is disabled or deleted', { tenantId: verified.tenantId, userId: verified.userId });
  }
  const identity = user === undefined ? verified : { ...verified, role: user.role };
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
