import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A tenant id of the generated form (`t` + 16 lowercase base32), used when a test does not pick one. */
export const DEFAULT_TEST_TENANT_ID = 'tdefaulttenant000';

export interface JwtIssuerOptions {
  /** Becomes the last path segment of the issuer URL, as in Cognito's. @default 'us-east-1_TestPool1' */
  readonly userPoolId?: string;
  /** The `aud` of minted ID tokens. @default 'testclient0123456789abcdef' */
  readonly clientId?: string;
}

export interface MintOptions {
  /** Claims to add or override; a claim set to `undefined` is left out (e.g. `{ exp: undefined }`). */
  readonly claims?: Record<string, unknown>;
  /** Protected-header fields to add or override (e.g. `{ kid: 'unknown' }`); `undefined` leaves one out. */
  readonly header?: Record<string, unknown>;
  /**
   * `RS256` signs with the issuer's key (what Cognito does); `HS256` with an HMAC secret (the classic
   * alg-confusion attempt); `none` produces an unsigned token with an empty signature part.
   * @default 'RS256'
   */
  readonly algorithm?: 'RS256' | 'HS256' | 'none';
  /** Sign with an RSA key that is not in the JWKS, under the issuer's kid (a forged signature). @default false */
  readonly foreignKey?: boolean;
}

/** A Cognito-compatible token issuer for tests: an RSA key pair, its JWKS on 127.0.0.1, and ID token minting. */
export interface JwtIssuer {
  /** `http://127.0.0.1:<port>/<userPoolId>`, the `iss` of minted tokens. */
  readonly issuer: string;
  /** `<issuer>/.well-known/jwks.json`. */
  readonly jwksUri: string;
  readonly clientId: string;
  /** The kid of the signing key published in the JWKS. */
  readonly kid: string;
  readonly jwks: { keys: JWK[] };
  /** How many times the JWKS has been requested (to observe a verifier's caching). */
  readonly jwksRequests: number;
  /** The claims a Cognito ID token of a member of DEFAULT_TEST_TENANT_ID carries, valid for an hour from now. */
  defaultClaims(): Record<string, unknown>;
  /** Mints a Cognito-shaped ID token: `defaultClaims()` with `options.claims` applied. */
  mintIdToken(options?: MintOptions): Promise<string>;
  stop(): Promise<void>;
}

function withOverrides(
  base: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Starts an issuer whose JWKS is served over HTTP on 127.0.0.1 (a random port), the way the local cloud's
 * identity server serves a user pool's. Point a verifier at `issuer`/`jwksUri`, mint tokens, `stop()` after.
 */
export async function startJwtIssuer(options: JwtIssuerOptions = {}): Promise<JwtIssuer> {
  const userPoolId = options.userPoolId ?? 'us-east-1_TestPool1';
  const clientId = options.clientId ?? 'testclient0123456789abcdef';
  const kid = randomUUID();
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  let foreignPrivateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'] | undefined;
  const hmacSecret = new TextEncoder().encode('a-shared-secret-an-attacker-might-guess-0123456789');
  let jwksRequests = 0;

  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === `/${userPoolId}/.well-known/jwks.json`) {
      jwksRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}/${userPoolId}`;

  const defaultClaims = (): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    const sub = randomUUID();
    return {
      sub,
      iss: issuer,
      aud: clientId,
      token_use: 'id',
      auth_time: now,
      iat: now,
      exp: now + 3600,
      event_id: randomUUID(),
      jti: randomUUID(),
      origin_jti: randomUUID(),
      'cognito:username': sub,
      'cognito:groups': ['member'],
      'custom:tenantId': DEFAULT_TEST_TENANT_ID,
      'custom:role': 'member',
      email: 'member@example.com',
      email_verified: true,
    };
  };

  const mintIdToken = async (mint: MintOptions = {}): Promise<string> => {
    const algorithm = mint.algorithm ?? 'RS256';
    const payload = withOverrides(defaultClaims(), mint.claims);
    const header = withOverrides({ kid, alg: algorithm }, mint.header);
    if (algorithm === 'none') return `${base64UrlJson(header)}.${base64UrlJson(payload)}.`;
    const jwt = new SignJWT(payload).setProtectedHeader({ ...header, alg: algorithm });
    if (algorithm === 'HS256') return jwt.sign(hmacSecret);
    if (mint.foreignKey) {
      foreignPrivateKey ??= (await generateKeyPair('RS256')).privateKey;
      return jwt.sign(foreignPrivateKey);
    }
    return jwt.sign(privateKey);
  };

  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    clientId,
    kid,
    jwks,
    get jwksRequests() {
      return jwksRequests;
    },
    defaultClaims,
    mintIdToken,
    stop: async () => {
      // Keep-alive connections from the verifier's fetch would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e?: Error) => (e ? reject(e) : resolve())));
    },
  };
}
