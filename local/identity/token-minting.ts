import { randomUUID, sign } from 'node:crypto';
import { privateKeyObject, type SigningKey } from './signing-key';
import type { StoredUser } from './user-pool-store';

/** Tokens as Cognito returns them after sign-in. */
export interface MintedTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** Seconds the access token is valid for (`ExpiresIn` of an AuthenticationResult). */
  readonly expiresIn: number;
}

/** Everything needed to mint one user's tokens. */
export interface MintInput {
  readonly issuer: string;
  readonly clientId: string;
  readonly user: StoredUser;
  readonly signingKey: SigningKey;
  readonly idTokenValiditySeconds: number;
  readonly accessTokenValiditySeconds: number;
  /** Epoch seconds; defaults to now. */
  readonly nowSeconds?: number;
  /** The access token's `scope`; the API sign-in flows give only `aws.cognito.signin.user.admin`. */
  readonly scope?: string;
}

/** Attributes Cognito puts into the ID token as JSON booleans rather than strings. */
const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Signs claims as a compact RS256 JWS with the key's `kid`, as Cognito does. */
export function signJwt(claims: Record<string, unknown>, key: SigningKey): string {
  const signingInput = `${base64url({ kid: key.kid, alg: 'RS256' })}.${base64url(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), privateKeyObject(key)).toString('base64url');
  return `${signingInput}.${signature}`;
}

/**
 * Mints an ID token and an access token shaped like Cognito's (same claims, same types): the ID token
 * carries the user's attributes, the access token the client, scope and user name. Both share one
 * sign-in (`origin_jti`, `event_id`, `auth_time`).
 */
export function mintCognitoTokens(input: MintInput): MintedTokens {
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const { user } = input;
  const session = { origin_jti: randomUUID(), event_id: randomUUID(), auth_time: now };
  const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
  const attributes: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    attributes[name] = BOOLEAN_ATTRIBUTES.has(name) ? value === 'true' : value;
  }
  const idClaims = {
    sub: user.sub,
    ...groups,
    ...attributes,
    iss: input.issuer,
    'cognito:username': user.username,
    origin_jti: session.origin_jti,
    aud: input.clientId,
    event_id: session.event_id,
    token_use: 'id',
    auth_time: session.auth_time,
    exp: now + input.idTokenValiditySeconds,
    iat: now,
    jti: randomUUID(),
  };
  const accessClaims = {
    sub: user.sub,
    ...groups,
    iss: input.issuer,
    client_id: input.clientId,
    origin_jti: session.origin_jti,
    event_id: session.event_id,
    token_use: 'access',
    scope: input.scope ?? 'aws.cognito.signin.user.admin',
    auth_time: session.auth_time,
    exp: now + input.accessTokenValiditySeconds,
    iat: now,
    jti: randomUUID(),
    username: user.username,
  };
  return {
    idToken: signJwt(idClaims, input.signingKey),
    accessToken: signJwt(accessClaims, input.signingKey),
    expiresIn: input.accessTokenValiditySeconds,
  };
}

/**
 * Mints the access token of a client-credentials grant as Cognito does: no user, `sub` is the client id, the
 * granted scopes space-separated in `scope`, `token_use` access, `version` 2.
 */
export function mintClientCredentialsToken(input: {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly signingKey: SigningKey;
  readonly validitySeconds: number;
  readonly nowSeconds?: number;
}): { readonly accessToken: string; readonly expiresIn: number } {
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const claims = {
    sub: input.clientId,
    token_use: 'access',
    scope: input.scopes.join(' '),
    auth_time: now,
    iss: input.issuer,
    exp: now + input.validitySeconds,
    iat: now,
    version: 2,
    jti: randomUUID(),
    client_id: input.clientId,
  };
  return { accessToken: signJwt(claims, input.signingKey), expiresIn: input.validitySeconds };
}
