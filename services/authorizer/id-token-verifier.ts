import { JwtVerifier } from 'aws-jwt-verify';
import {
  FailedAssertionError,
  JwtInvalidSignatureError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import * as z from 'zod';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';
import { type Role, roleSchema } from '../../shared/role';
import { jwksFetcher } from './jwks-fetcher';
import { reject } from './rejection';

/** How far in the future `iat` may be, for clock drift between the issuer and Lambda. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

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

/** Thrown from the custom check; recognised below as a problem with the token, not with the system. */
class InvalidIdTokenClaims extends Error {
  override readonly name = 'InvalidIdTokenClaims';
}

function checkClaims(payload: unknown): IdTokenIdentity {
  const parsed = idTokenClaims.safeParse(payload);
  if (!parsed.success) {
    const claims = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
    throw new InvalidIdTokenClaims(`missing or invalid claims: ${claims}`);
  }
  const claims = parsed.data;
  if (claims.iat !== undefined && claims.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
    throw new InvalidIdTokenClaims('token issued in the future');
  }
  return {
    userId: claims.sub,
    tenantId: claims['custom:tenantId'],
    role: claims['custom:role'],
    expiresAt: claims.exp,
  };
}

/**
 * Errors that say the token is bad. Anything else (JWKS unreachable, a malformed JWKS) is a fault of the system
 * and is rethrown, so API Gateway answers 500 instead of telling a legitimate caller their token is invalid.
 */
export function isTokenProblem(error: unknown): error is Error {
  return (
    error instanceof InvalidIdTokenClaims ||
    error instanceof JwtParseError ||
    error instanceof JwtInvalidSignatureError ||
    // algorithm, issuer, audience, expiry, not-before and key-use checks
    error instanceof FailedAssertionError ||
    error instanceof JwtWithoutValidKidError ||
    error instanceof KidNotFoundInJwksError ||
    // a recent unknown kid put JWKS refetching on hold: this token's kid is unknown too
    error instanceof WaitPeriodNotYetEndedJwkError
  );
}

/**
 * Creates the verifier once per execution environment, so the JWKS and the parsed public keys are cached
 * across invocations. Uses aws-jwt-verify's generic verifier so the same code accepts the user pool's tokens in
 * AWS and the local issuer's on a laptop: only the configured URLs differ.
 */
export function createIdTokenVerifier(options: IdTokenVerifierOptions): IdTokenVerifier {
  const verifier = JwtVerifier.create(
    {
      issuer: options.issuer,
      audience: options.clientId,
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
        if (isTokenProblem(error)) return reject(error.message);
        throw error;
      }
    },
  };
}
