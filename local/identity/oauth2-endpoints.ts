import { timingSafeEqual } from 'node:crypto';
import { CognitoError } from './cognito-error';
import { mintClientCredentialsToken } from './token-minting';
import type { ClientDefinition } from './user-pool-definitions';
import type { UserPoolStore } from './user-pool-store';

/** What the OAuth 2.0 endpoints of a Cognito domain need from the identity server. */
export interface OAuthBackend {
  client(clientId: string): ClientDefinition;
  pool(userPoolId: string): UserPoolStore;
  issuerUrl(userPoolId: string): string;
}

/** An OAuth answer: a status and a JSON body (`{error}` on failure, as RFC 6749 §5.2 and Cognito write it). */
export interface OAuthResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const oauthError = (error: string, status = 400): OAuthResponse => ({ status, body: { error } });

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The client id and secret from `Authorization: Basic` or, failing that, the form (`client_secret_post`). */
function clientCredentials(form: URLSearchParams, authorization: string | undefined) {
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  const clientId = form.get('client_id');
  if (clientId === null) return undefined;
  const clientSecret = form.get('client_secret');
  return { clientId, ...(clientSecret === null ? {} : { clientSecret }) };
}

/** One grant of `/oauth2/token`, by `grant_type`. */
export type Grant = (
  form: URLSearchParams,
  caller: { clientId: string; clientSecret?: string },
  backend: OAuthBackend,
) => OAuthResponse;

/** The client, when it exists and the caller proved its secret (a public client has none to prove). */
function authenticatedClient(
  caller: { clientId: string; clientSecret?: string },
  backend: OAuthBackend,
): ClientDefinition | undefined {
  let client: ClientDefinition;
  try {
    client = backend.client(caller.clientId);
  } catch (error) {
    if (error instanceof CognitoError) return undefined;
    throw error;
  }
  if (client.clientSecret === undefined) return client;
  return caller.clientSecret !== undefined && sameSecret(client.clientSecret, caller.clientSecret)
    ? client
    : undefined;
}

/**
 * `grant_type=client_credentials`: a confidential client with the flow enabled gets an access token for the
 * requested custom scopes (all of its allowed ones when `scope` is left out).
 */
const clientCredentialsGrant: Grant = (form, caller, backend) => {
  const client = authenticatedClient(caller, backend);
  if (client === undefined || client.clientSecret === undefined) return oauthError('invalid_client');
  if (!client.allowedOAuthFlows.has('client_credentials')) return oauthError('unauthorized_client');
  const requested = form.get('scope');
  const scopes =
    requested === null || requested.trim() === ''
      ? [...client.allowedOAuthScopes]
      : requested.trim().split(/\s+/);
  if (scopes.length === 0 || scopes.some((scope) => !client.allowedOAuthScopes.includes(scope))) {
    return oauthError('invalid_scope');
  }
  const pool = backend.pool(client.userPoolId);
  const token = mintClientCredentialsToken({
    issuer: backend.issuerUrl(client.userPoolId),
    clientId: client.clientId,
    scopes,
    signingKey: pool.signingKey,
    validitySeconds: client.accessTokenValiditySeconds,
  });
  return {
    status: 200,
    body: { access_token: token.accessToken, expires_in: token.expiresIn, token_type: 'Bearer' },
  };
};

/** The grants `/oauth2/token` serves, by `grant_type`. */
export const OAUTH_GRANTS: Record<string, Grant> = {
  client_credentials: clientCredentialsGrant,
};

/**
 * `POST /oauth2/token` of a Cognito domain: form-encoded, the client authenticated by `Authorization: Basic` or
 * in the form; answers tokens or an OAuth error (`invalid_client`, `unauthorized_client`, `invalid_scope`,
 * `unsupported_grant_type`, `invalid_request`).
 */
export function tokenEndpoint(
  form: URLSearchParams,
  authorization: string | undefined,
  backend: OAuthBackend,
  grants: Record<string, Grant> = OAUTH_GRANTS,
): OAuthResponse {
  const grantType = form.get('grant_type');
  if (grantType === null) return oauthError('invalid_request');
  const grant = grants[grantType];
  if (grant === undefined) return oauthError('unsupported_grant_type');
  const caller = clientCredentials(form, authorization);
  if (caller === undefined) return oauthError('invalid_client');
  return grant(form, caller, backend);
}
