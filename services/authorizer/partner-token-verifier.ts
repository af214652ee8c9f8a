import * as z from 'zod';
import { PARTNER_SCOPE } from '../../shared/partner-scope';
import { createClaimsVerifier } from './claims-verifier';

/** Who a verified client-credentials access token says the caller is: a machine client, no user. */
export interface PartnerIdentity {
  readonly clientId: string;
  readonly expiresAt: number;
}

/** Verifies a partner's access token; rejects (throws `Unauthorized`) when it is not acceptable. */
export interface PartnerTokenVerifier {
  verify(token: string): Promise<PartnerIdentity>;
}

/**
 * The claims of a client-credentials access token this API relies on: an access token (never an ID token: it has
 * no scope), the client it was issued to, an expiry, and the partner scope among its scopes.
 */
const partnerClaims = z.object({
  token_use: z.literal('access'),
  client_id: z.string().min(1),
  exp: z.number(),
  iat: z.number().optional(),
  scope: z.string().refine((scope) => scope.split(' ').includes(PARTNER_SCOPE.fullName), {
    message: `missing the ${PARTNER_SCOPE.fullName} scope`,
  }),
});

/**
 * Verifies access tokens of the same user pool (issuer and keys as the ID-token verifier's). Access tokens have no
 * `aud`: which clients may call is decided by the tenant binding, not here.
 */
export function createPartnerTokenVerifier(options: {
  issuer: string;
  jwksUri: string;
}): PartnerTokenVerifier {
  return createClaimsVerifier({
    issuer: options.issuer,
    audience: null,
    jwksUri: options.jwksUri,
    claims: partnerClaims,
    identity: (claims): PartnerIdentity => ({ clientId: claims.client_id, expiresAt: claims.exp }),
  });
}
