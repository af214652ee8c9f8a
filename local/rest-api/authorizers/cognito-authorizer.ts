import { createPublicKey, verify } from 'node:crypto';
import type { IdentityIssuers } from '../../identity/identity-server';
import type { RestAuthorizerDefinition } from '../rest-api-definition';
import type { AuthorizationRequest, AuthorizationResult } from '../rest-authorization';
import { authorizerRefusals } from './authorizer-refusals';
import { stringifyClaims } from './claim-stringification';
import { readIdentitySource } from './identity-sources';

/** Options of `createCognitoAuthorizer`. */
export interface CognitoAuthorizerOptions {
  readonly identity: IdentityIssuers;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** Larger tokens are refused before any parsing (Cognito's own tokens are a few KB). */
const MAX_TOKEN_LENGTH = 16 * 1024;

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (segment === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The pool id at the end of a user pool ARN (`arn:aws:cognito-idp:<region>:<account>:userpool/<id>`). */
function poolIdOf(providerArn: string): string {
  return providerArn.slice(providerArn.lastIndexOf('/') + 1);
}

/**
 * COGNITO_USER_POOLS: verifies the token (RS256 signature by the pool's key, `iss` of a pool in
 * ProviderARNs, unexpired `exp`) and passes every claim on as a string. API Gateway accepts the raw
 * token or `Bearer <token>`. Without AuthorizationScopes on the method it takes ID tokens; with them,
 * an access token carrying one of the scopes.
 */
export function createCognitoAuthorizer(options: CognitoAuthorizerOptions) {
  const verifyToken = (
    token: string,
    providerArns: readonly string[],
  ): Record<string, unknown> | undefined => {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const [headerSegment, payloadSegment, signatureSegment, ...rest] = token.split('.');
    if (rest.length > 0 || signatureSegment === undefined) return undefined;
    const header = decodeSegment(headerSegment);
    const payload = decodeSegment(payloadSegment);
    if (header === undefined || payload === undefined || header.alg !== 'RS256') return undefined;
    const poolId = providerArns
      .map(poolIdOf)
      .find((candidate) => options.identity.issuerUrl(candidate) === payload.iss);
    if (poolId === undefined) return undefined;
    const jwk = options.identity.jwks(poolId)?.keys.find((key) => key.kid === header.kid);
    if (jwk === undefined) return undefined;
    const signed = verify(
      'sha256',
      Buffer.from(`${headerSegment}.${payloadSegment}`),
      createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }),
      Buffer.from(signatureSegment, 'base64url'),
    );
    if (!signed) return undefined;
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= options.now()) return undefined;
    return payload;
  };

  return {
    authorize(request: AuthorizationRequest, authorizer: RestAuthorizerDefinition): AuthorizationResult {
      const source = authorizer.identitySource ?? 'method.request.header.Authorization';
      const raw = readIdentitySource(source, request)?.trim();
      if (raw === undefined || raw === '') return authorizerRefusals.unauthorized();
      const token = raw.replace(/^Bearer\s+/i, '');
      const { providerArns } = authorizer;
      const payload = verifyToken(token, providerArns);
      if (payload === undefined) return authorizerRefusals.unauthorized();

      const scopes = request.authorizationScopes;
      if (scopes.length === 0) {
        if (payload.token_use !== 'id') return authorizerRefusals.unauthorized();
      } else {
        const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
        if (payload.token_use !== 'access' || !scopes.some((scope) => granted.includes(scope))) {
          return authorizerRefusals.unauthorized();
        }
      }
      return { ok: true, authorizer: { claims: stringifyClaims(payload) } };
    },
  };
}
