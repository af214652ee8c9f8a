import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import * as z from 'zod';
import { PARTNER_SCOPE } from '../../shared/partner-scope';
import { isTokenProblem, MAX_CLOCK_SKEW_SECONDS } from './id-token-verifier';
import { jwksFetcher } from './jwks-fetcher';
import { reject } from './rejection';

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

class InvalidPartnerClaims extends Error {
  override readonly name = 'InvalidPartnerClaims';
}

function checkClaims(payload: unknown): PartnerIdentity {
  const parsed = partnerClaims.safeParse(payload);
  if (!parsed.success) {
    const problems = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || issue.message))];
    throw new InvalidPartnerClaims(`missing or invalid claims: ${problems.join(', ')}`);
  }
  if (parsed.data.iat !== undefined && parsed.data.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
    throw new InvalidPartnerClaims('token issued in the future');
  }
  return { clientId: parsed.data.client_id, expiresAt: parsed.data.exp };
}

/**
 * Verifies access tokens of the same user pool (issuer and keys as the ID-token verifier's). Access tokens have no
 * `aud`: which clients may call is decided by the tenant binding, not here.
 */
export function createPartnerTokenVerifier(options: {
  issuer: string;
  jwksUri: string;
}): PartnerTokenVerifier {
  const verifier = JwtVerifier.create(
    {
      issuer: options.issuer,
      audience: null,
      jwksUri: options.jwksUri,
      customJwtCheck: ({ payload }) => {
        checkClaims(payload);
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher }) },
  );
  return {
    async verify(token) {
      try {
        return checkClaims(await verifier.verify(token));
      } catch (error) {
        if (error instanceof InvalidPartnerClaims || isTokenProblem(error))
          return reject((error as Error).message);
        throw error;
      }
    },
  };
}
