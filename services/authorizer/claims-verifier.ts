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
import type * as z from 'zod';
import { jwksFetcher } from './jwks-fetcher';
import { reject } from './rejection';

/** How far in the future `iat` may be, for clock drift between the issuer and Lambda. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** Thrown from the custom check; recognised below as a problem with the token, not with the system. */
class InvalidClaims extends Error {
  override readonly name = 'InvalidClaims';
}

/**
 * Errors that say the token is bad. Anything else (JWKS unreachable, a malformed JWKS) is a fault of the system
 * and is rethrown, so API Gateway answers 500 instead of telling a legitimate caller their token is invalid.
 */
function isTokenProblem(error: unknown): error is Error {
  return (
    error instanceof InvalidClaims ||
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

/** The claims every verified token must carry: aws-jwt-verify checks `exp` only when present, `iat` not at all. */
interface TimedClaims {
  readonly exp: number;
  readonly iat?: number | undefined;
}

/** What one kind of token is verified against. */
export interface ClaimsVerifierOptions<C extends TimedClaims, I> {
  /** The expected `iss`: the user pool's provider URL (or the local issuer's). */
  readonly issuer: string;
  /** Where the issuer publishes its signing keys. */
  readonly jwksUri: string;
  /** The expected `aud`; `null` for tokens that have none (access tokens). */
  readonly audience: string | null;
  /** The claims this API relies on; `exp` must be required, or a token without one would be valid forever. */
  readonly claims: z.ZodType<C>;
  /** Who the verified claims say the caller is. */
  readonly identity: (claims: C) => I;
}

/** Verifies one kind of token; rejects (throws `Unauthorized`) when it is not acceptable. */
export interface ClaimsVerifier<I> {
  verify(token: string): Promise<I>;
}

/**
 * A verifier of the user pool's tokens, created once per execution environment so the JWKS and the parsed public
 * keys are cached across invocations. Uses aws-jwt-verify's generic verifier so the same code accepts the user
 * pool's tokens in AWS and the local issuer's on a laptop: only the configured URLs differ. A bad token (signature,
 * issuer, audience, expiry, claims) is rejected; a fault of the system (JWKS unreachable) is rethrown.
 */
export function createClaimsVerifier<C extends TimedClaims, I>(
  options: ClaimsVerifierOptions<C, I>,
): ClaimsVerifier<I> {
  const checkClaims = (payload: unknown): I => {
    const parsed = options.claims.safeParse(payload);
    if (!parsed.success) {
      const problems = [
        ...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || issue.message)),
      ];
      throw new InvalidClaims(`missing or invalid claims: ${problems.join(', ')}`);
    }
    if (parsed.data.iat !== undefined && parsed.data.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
      throw new InvalidClaims('token issued in the future');
    }
    return options.identity(parsed.data);
  };
  const verifier = JwtVerifier.create(
    {
      issuer: options.issuer,
      audience: options.audience,
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
