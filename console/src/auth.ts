import type { ConsoleConfig } from '../console-config';

/** The signed-in user, as the ID token's claims name them. */
export interface Session {
  readonly idToken: string;
  readonly email: string;
  readonly tenantId: string;
  readonly role: 'admin' | 'member';
  /** Epoch ms, by this browser's clock, after which the token is refused. */
  readonly expiresAt: number;
}

/** What this tab keeps: the tokens, and when (by this browser's clock) the ID token expires. */
interface StoredTokens {
  readonly idToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
}

/** Renewed this long before the ID token expires, so a call never leaves with a token about to be refused. */
const RENEW_BEFORE_MS = 60_000;

const SESSION_KEY = 'console.session';
const PENDING_KEY = 'console.pendingSignIn';
/** The path Cognito sends the browser back to (the SPA client's callback URL is `<origin>/auth/callback`). */
export const CALLBACK_PATH = '/auth/callback';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replaceAll('-', '+').replaceAll('_', '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<
    string,
    unknown
  >;
}

function sessionOf({ idToken, expiresAt }: StoredTokens): Session {
  const claims = claimsOf(idToken);
  return {
    idToken,
    email: String(claims.email ?? claims['cognito:username'] ?? ''),
    tenantId: String(claims['custom:tenantId'] ?? ''),
    role: claims['custom:role'] === 'admin' ? 'admin' : 'member',
    expiresAt,
  };
}

/**
 * Keeps tokens just received. Their expiry is the token's lifetime (`exp - iat`) from now by this browser's clock,
 * not `exp` itself: a browser whose clock is off would otherwise renew too early or too late.
 */
function keep(idToken: string, refreshToken: string | undefined): StoredTokens {
  const claims = claimsOf(idToken);
  const lifetimeMs = (Number(claims.exp ?? 0) - Number(claims.iat ?? 0)) * 1000;
  const tokens = {
    idToken,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresAt: Date.now() + lifetimeMs,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(tokens));
  return tokens;
}

function storedTokens(): StoredTokens | undefined {
  const kept = sessionStorage.getItem(SESSION_KEY);
  if (kept === null) return undefined;
  try {
    return JSON.parse(kept) as StoredTokens;
  } catch {
    // Kept by an older console (the bare ID token): sign in again.
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
}

/** The session kept for this tab, unless it expired with no refresh token to renew it. */
export function currentSession(): Session | undefined {
  const tokens = storedTokens();
  if (tokens === undefined) return undefined;
  if (tokens.expiresAt <= Date.now() && tokens.refreshToken === undefined) {
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
  return sessionOf(tokens);
}

let renewing: Promise<string> | undefined;

/** What the token endpoint answered: the tokens, or the reason it refused (its `error`, else the HTTP status). */
interface TokenAnswer {
  readonly id_token?: string;
  readonly refresh_token?: string;
  readonly error?: string;
}

/** One grant at the token endpoint (`/oauth2/token`, form-encoded, this console's public client). */
async function tokenGrant(config: ConsoleConfig, grant: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(new URL(config.tokenUrl, location.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...grant, client_id: config.clientId }),
  });
  const body = (await response.json()) as TokenAnswer;
  return response.ok && body.id_token !== undefined ? body : { error: body.error ?? String(response.status) };
}

/**
 * An ID token the APIs accept: the kept one while it has more than a minute left, else a new one from the token
 * endpoint's `refresh_token` grant (the console signs in with managed login, so it renews there too). Concurrent
 * callers share one renewal. Throws, asking to sign in again, when there is no refresh token or it is refused.
 */
export function freshIdToken(config: ConsoleConfig): Promise<string> {
  const tokens = storedTokens();
  if (tokens === undefined) return Promise.reject(new Error('signed out in another tab: sign in again'));
  if (tokens.expiresAt - RENEW_BEFORE_MS > Date.now()) return Promise.resolve(tokens.idToken);
  const { refreshToken } = tokens;
  if (refreshToken === undefined) return Promise.reject(new Error('the sign-in expired: sign in again'));
  renewing ??= (async () => {
    const body = await tokenGrant(config, { grant_type: 'refresh_token', refresh_token: refreshToken });
    if (body.id_token === undefined) {
      throw new Error(`the sign-in could not be renewed (${body.error}): sign in again`);
    }
    // Cognito answers no new refresh token (no rotation): the one kept stays valid until its own expiry.
    return keep(body.id_token, refreshToken).idToken;
  })().finally(() => {
    renewing = undefined;
  });
  return renewing;
}

const redirectUri = () => `${location.origin}${CALLBACK_PATH}`;

/**
 * Managed login, authorization code with PKCE: the verifier and state stay in this tab's sessionStorage, the
 * browser goes to the Cognito domain's `/oauth2/authorize`.
 */
export async function startSignIn(config: ConsoleConfig): Promise<void> {
  const verifier = randomText();
  const state = randomText();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(`${config.cognitoDomainUrl}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** Back from managed login: checks the state, exchanges the code (with the verifier) for tokens. */
export async function completeSignIn(config: ConsoleConfig, params: URLSearchParams): Promise<Session> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  const error = params.get('error');
  if (error !== null) throw new Error(`sign-in failed: ${params.get('error_description') ?? error}`);
  const code = params.get('code');
  if (pending === null || code === null || params.get('state') !== pending.state) {
    throw new Error('this sign-in was not started here (or was already used): sign in again');
  }
  const body = await tokenGrant(config, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  });
  if (body.id_token === undefined) throw new Error(`the code exchange failed: ${body.error}`);
  return sessionOf(keep(body.id_token, body.refresh_token));
}

/** Forgets the tokens and ends the managed-login session, back to the console's root. */
export function signOut(config: ConsoleConfig): void {
  sessionStorage.removeItem(SESSION_KEY);
  const url = new URL(`${config.cognitoDomainUrl}/logout`);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    logout_uri: `${location.origin}/`,
  }).toString();
  location.assign(url.toString());
}
