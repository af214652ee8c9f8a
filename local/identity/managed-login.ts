import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { OAuthBackend, OAuthResponse } from './oauth2-endpoints';
import { publicJwk } from './signing-key';
import type { MintedTokens } from './token-minting';
import type { ClientDefinition } from './user-pool-definitions';
import type { StoredUser, UserPoolStore } from './user-pool-store';

/** What managed login needs besides the OAuth backend: signing a user's tokens with the granted scopes. */
export interface ManagedLoginBackend extends OAuthBackend {
  mintFor(pool: UserPoolStore, client: ClientDefinition, user: StoredUser, scope: string): MintedTokens;
  /** Keeps a refresh token for the user, usable with REFRESH_TOKEN_AUTH like one from InitiateAuth. */
  issueRefreshToken(pool: UserPoolStore, client: ClientDefinition, user: StoredUser): string;
}

/** An HTTP answer of the login pages: a page, a redirect or an error. */
export interface LoginResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** How long an authorization code may be exchanged (Cognito: five minutes), in ms. */
const CODE_LIFETIME_MS = 5 * 60 * 1000;
/** The authorize parameters the login form carries through. */
const CARRIED = [
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
  'nonce',
] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string): LoginResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="icon" href="data:,"></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

function loginForm(params: URLSearchParams, message?: string): LoginResponse {
  const hidden = CARRIED.flatMap((name) => {
    const value = params.get(name);
    return value === null ? [] : [`<input type="hidden" name="${name}" value="${escapeHtml(value)}">`];
  }).join('');
  return page(
    message === undefined ? 200 : 400,
    'Sign in (local cloud)',
    `${message === undefined ? '' : `<p role="alert">${escapeHtml(message)}</p>`}<form method="post" action="/login">${hidden}<label>Username <input name="username" autocomplete="username"></label><label>Password <input name="password" type="password" autocomplete="current-password"></label><button type="submit">Sign in</button></form>`,
  );
}

interface Grant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly userPoolId: string;
  readonly sub: string;
  readonly scope: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly expiresAt: number;
}

/**
 * Managed login as a Cognito domain serves it: `GET /oauth2/authorize` (authorization-code grant, PKCE) shows a
 * minimal login page, `POST /login` checks the password and redirects to the callback with a code, and the
 * `authorization_code` grant of `/oauth2/token` exchanges it once, checking the PKCE verifier.
 */
export function createManagedLogin(backend: ManagedLoginBackend) {
  const codes = new Map<string, Grant>();

  /** The client and redirect URI of an authorize request, or the error page Cognito would show. */
  const checkRequest = (params: URLSearchParams): { client: ClientDefinition } | LoginResponse => {
    let client: ClientDefinition;
    try {
      client = backend.client(params.get('client_id') ?? '');
    } catch {
      return page(400, 'invalid_request', '<p>Unknown client_id.</p>');
    }
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!client.callbackUrls.includes(redirectUri)) {
      return page(400, 'redirect_mismatch', '<p>redirect_uri is not a callback URL of the client.</p>');
    }
    if (!client.allowedOAuthFlows.has('code')) {
      return page(400, 'unauthorized_client', '<p>The client does not allow the code grant.</p>');
    }
    const method = params.get('code_challenge_method');
    if (method !== null && method !== 'S256') {
      return page(400, 'invalid_request', '<p>code_challenge_method must be S256.</p>');
    }
    return { client };
  };

  const scopesOf = (client: ClientDefinition, params: URLSearchParams): string[] | undefined => {
    const requested = (params.get('scope') ?? '').trim();
    const scopes = requested === '' ? [...client.allowedOAuthScopes] : requested.split(/\s+/);
    return scopes.every((scope) => client.allowedOAuthScopes.includes(scope)) ? scopes : undefined;
  };

  return {
    /**
     * `GET /oauth2/userInfo`: the signed-in user's attributes for a valid access token of the pool (401
     * `invalid_token` otherwise, with the `WWW-Authenticate` header OAuth asks for).
     */
    async userInfo(authorization: string | undefined): Promise<OAuthResponse> {
      const refused: OAuthResponse = { status: 401, body: { error: 'invalid_token' } };
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (token === undefined) return refused;
      let pool: UserPoolStore;
      try {
        const clientId = decodeJwt(token).client_id;
        pool = backend.pool(backend.client(typeof clientId === 'string' ? clientId : '').userPoolId);
        const { payload } = await jwtVerify(
          token,
          createLocalJWKSet({ keys: [publicJwk(pool.signingKey)] }),
          {
            issuer: backend.issuerUrl(pool.definition.userPoolId),
          },
        );
        if (payload.token_use !== 'access' || typeof payload.sub !== 'string') return refused;
        const user = pool.findBySub(payload.sub);
        if (user === undefined || !user.enabled) return refused;
        return { status: 200, body: { sub: user.sub, ...user.attributes, username: user.username } };
      } catch {
        return refused;
      }
    },

    /** `GET /logout`: back to a registered `logout_uri` of the client (the local login keeps no session cookie). */
    logout(params: URLSearchParams): LoginResponse {
      let client: ClientDefinition;
      try {
        client = backend.client(params.get('client_id') ?? '');
      } catch {
        return page(400, 'invalid_request', '<p>Unknown client_id.</p>');
      }
      const logoutUri = params.get('logout_uri') ?? '';
      if (!client.logoutUrls.includes(logoutUri)) {
        return page(400, 'invalid_request', '<p>logout_uri is not a sign-out URL of the client.</p>');
      }
      return { status: 302, headers: { location: logoutUri }, body: '' };
    },

    /** `GET /oauth2/authorize`: the login page, or an error page for a request Cognito would refuse. */
    authorize(params: URLSearchParams): LoginResponse {
      const checked = checkRequest(params);
      if (!('client' in checked)) return checked;
      if (params.get('response_type') !== 'code') {
        return page(400, 'unsupported_response_type', '<p>Only response_type=code is served locally.</p>');
      }
      if (scopesOf(checked.client, params) === undefined)
        return page(400, 'invalid_scope', '<p>Invalid scope.</p>');
      return loginForm(params);
    },

    /** `POST /login`: checks the password; a redirect to the callback with `code` and `state`. */
    login(form: URLSearchParams): LoginResponse {
      const checked = checkRequest(form);
      if (!('client' in checked)) return checked;
      const { client } = checked;
      const pool = backend.pool(client.userPoolId);
      let user: StoredUser;
      try {
        user = pool.authenticate(form.get('username') ?? '', form.get('password') ?? '');
      } catch {
        return loginForm(form, 'Incorrect username or password.');
      }
      if (user.status === 'FORCE_CHANGE_PASSWORD') {
        return loginForm(form, 'This user must set a new password first (sign in once with SRP or the CLI).');
      }
      const scopes = scopesOf(client, form) ?? [];
      const code = randomBytes(24).toString('base64url');
      const challenge = form.get('code_challenge');
      codes.set(code, {
        clientId: client.clientId,
        redirectUri: form.get('redirect_uri') ?? '',
        userPoolId: client.userPoolId,
        sub: user.sub,
        scope: scopes.join(' '),
        ...(challenge === null ? {} : { codeChallenge: challenge, codeChallengeMethod: 'S256' }),
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      const location = new URL(form.get('redirect_uri') ?? '');
      location.searchParams.set('code', code);
      const state = form.get('state');
      if (state !== null) location.searchParams.set('state', state);
      return { status: 302, headers: { location: location.toString() }, body: '' };
    },

    /** The `authorization_code` grant of `/oauth2/token`: the code once, the same client and redirect URI, PKCE. */
    grant(form: URLSearchParams, caller: { clientId: string; clientSecret?: string }): OAuthResponse {
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      codes.delete(code);
      if (
        grant === undefined ||
        grant.expiresAt < Date.now() ||
        grant.clientId !== caller.clientId ||
        grant.redirectUri !== form.get('redirect_uri')
      ) {
        return { status: 400, body: { error: 'invalid_grant' } };
      }
      if (grant.codeChallenge !== undefined) {
        const verifier = form.get('code_verifier') ?? '';
        const computed = createHash('sha256').update(verifier).digest('base64url');
        if (computed !== grant.codeChallenge) return { status: 400, body: { error: 'invalid_grant' } };
      }
      const client = backend.client(grant.clientId);
      if (client.clientSecret !== undefined && client.clientSecret !== caller.clientSecret) {
        return { status: 400, body: { error: 'invalid_client' } };
      }
      const pool = backend.pool(grant.userPoolId);
      const user = pool.findBySub(grant.sub);
      if (user === undefined || !user.enabled) return { status: 400, body: { error: 'invalid_grant' } };
      const tokens = backend.mintFor(pool, client, user, grant.scope);
      return {
        status: 200,
        body: {
          id_token: tokens.idToken,
          access_token: tokens.accessToken,
          refresh_token: backend.issueRefreshToken(pool, client, user),
          expires_in: tokens.expiresIn,
          token_type: 'Bearer',
        },
      };
    },
  };
}
