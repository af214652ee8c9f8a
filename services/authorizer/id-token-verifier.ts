import * as z from 'zod';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';
import { type Role, roleSchema } from '../../shared/role';
import { createClaimsVerifier } from './claims-verifier';

/** Who the verified ID token says the caller is. */
export interface IdTokenIdentity {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: Role;
  /** The token's `exp` (epoch seconds): whatever is granted on it, e.g. a stored WebSocket connection, ends by then. */
  readonly expiresAt: number;
}

/** Verifies a Cognito-shaped ID token; rejects (throws `Unauthorized`) when it is not acceptable. */
export interface IdTokenVerifier {
  verify(token: string): Promise<IdTokenIdentity>;
}

export interface IdTokenVerifierOptions {
  /** The expected `iss`: the user pool's provider URL (or the local issuer's). */
  readonly issuer: string;
  /** Where the issuer publishes its signing keys. */
  readonly jwksUri: string;
  /** The app client id, the expected `aud` of its ID tokens. */
  readonly clientId: string;
}

/**
 * The claims this API relies on. aws-jwt-verify checks `exp` only when present, so it is required here:
 * a token without one would otherwise be valid forever (and cached by API Gateway as such).
 */
const idTokenClaims = z.object({
  sub: z.string().min(1),
  token_use: z.literal('id'),
  exp: z.number(),
  iat: z.number().optional(),
  'custom:tenantId': z.string().regex(TENANT_ID_PATTERN),
  'custom:role': roleSchema,
});

/**
 * Creates the verifier once per execution environment, so the JWKS and the parsed public keys are cached
 * across invocations; the same code accepts the user pool's tokens in AWS and the local issuer's on a laptop.
 */
export function createIdTokenVerifier(options: IdTokenVerifierOptions): IdTokenVerifier {
  return createClaimsVerifier({
    issuer: options.issuer,
    audience: options.clientId,
    jwksUri: options.jwksUri,
    claims: idTokenClaims,
    identity: (claims): IdTokenIdentity => ({
      userId: claims.sub,
      tenantId: claims['custom:tenantId'],
      role: claims['custom:role'],
      expiresAt: claims.exp,
    }),
  });
}
