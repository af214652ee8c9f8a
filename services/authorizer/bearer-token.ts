import { reject } from './rejection';

/** Cognito ID tokens are a few KB; anything above this is refused before it is parsed or verified. */
export const MAX_TOKEN_LENGTH = 8192;

const SCHEME = 'Bearer ';
// The scheme name is case-insensitive (RFC 7235 §2.1): `bearer`, `BEARER` are the same scheme.
const BEARER_JWT = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * The JWT from a TOKEN authorizer's `authorizationToken`, which must be `Bearer <jwt>` (the scheme in any case). The size cap is checked
 * first, on the raw header, so an oversized header costs neither a regex over it nor any crypto.
 */
export function bearerToken(authorizationToken: unknown): string {
  if (typeof authorizationToken !== 'string' || authorizationToken === '') {
    return reject('missing authorization header');
  }
  if (authorizationToken.length > SCHEME.length + MAX_TOKEN_LENGTH) {
    return reject('token too large', { length: String(authorizationToken.length) });
  }
  const token = BEARER_JWT.exec(authorizationToken)?.[1];
  if (!token) return reject('authorization header is not "Bearer <jwt>"');
  return token;
}
