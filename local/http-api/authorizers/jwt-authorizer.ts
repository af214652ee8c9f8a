import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { GATEWAY_ERRORS, jsonError } from '../http-api-response';
import { readIdentitySource } from './identity-source';
import type { AuthorizationInput, AuthorizationOutcome, RouteAuthorization } from './route-authorization';

/** Options of `createJwtAuthorization`. */
export interface JwtAuthorizationOptions {
  /** Epoch milliseconds; tokens are checked against it. @default Date.now */
  readonly now?: () => number;
  readonly log: (line: string) => void;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** API Gateway supports RSA-signed tokens only (AWS-BEHAVIOUR §3). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];
const DEFAULT_IDENTITY_SOURCE = '$request.header.Authorization';

/**
 * `www-authenticate` as API Gateway sends it with a refused token; the descriptions are close to AWS's
 * (`the token has expired`, `signing method HS256 is invalid`), the others are UNCONFIRMED wording.
 */
function invalidToken(description: string): AuthorizationOutcome {
  return {
    ok: false,
    response: jsonError(GATEWAY_ERRORS.unauthorized, {
      'www-authenticate': [`Bearer scope="" error="invalid_token" error_description="${description}"`],
    }),
  };
}

function describe(error: unknown, token: string): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet';
    if (error.claim === 'iss') return 'the token does not have a valid issuer';
    if (error.claim === 'exp') return 'the token has no expiry';
    return `the token has an invalid ${error.claim} claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    const alg = safeHeaderAlg(token);
    return `signing method ${alg} is invalid`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token was signed by an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature is invalid';
  return 'the token could not be verified';
}

function safeHeaderAlg(token: string): string {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && 'alg' in header ? String(header.alg) : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Claim values as HTTP APIs hand them on (AWS's capture): every value a string; numbers such as `exp` keep their
 * digits; arrays render Go-style, `[a b]` (as observed with `cognito:groups`); objects as JSON (UNCONFIRMED).
 */
export function stringifyJwtClaims(payload: JWTPayload): Record<string, string> {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `[${value.map(render).join(' ')}]`;
    if (typeof value === 'object' && value !== null) return JSON.stringify(value);
    return String(value);
  };
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value !== undefined && value !== null) claims[name] = render(value);
  }
  return claims;
}

/** The token's scopes, from `scope` (space-separated) or `scp` (a list, or a space-separated string). */
export function tokenScopes(payload: JWTPayload): string[] | undefined {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(raw)) return raw.filter((scope): scope is string => typeof scope === 'string');
  return undefined;
}

function audienceMatches(payload: JWTPayload, audience: readonly string[]): boolean {
  // Access tokens (Cognito's among them) carry `client_id` instead of `aud`.
  const aud = payload.aud ?? payload.client_id;
  const values = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
  return values.some((value) => audience.includes(value));
}

/** `https://…`, or `http://` on a loopback host (a local issuer): a JWKS anywhere else is refused. */
function jwksUrlOf(issuer: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') return url;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? url : undefined;
}

/**
 * The JWT authorizer of HTTP APIs: the token from the identity source (`Bearer ` optional), an RSA signature
 * by a key of `{issuer}/.well-known/jwks.json` (fetched and cached per issuer), `iss`, `aud` (else `client_id`),
 * `exp` (required), `nbf` and `iat`, then the route's AuthorizationScopes against `scope`/`scp`. Refusals:
 * 401 `{"message":"Unauthorized"}` with `www-authenticate`; a valid token without a required scope gets 403
 * `{"message":"Forbidden"}` (UNCONFIRMED: AWS's docs do not say which).
 */
export function createJwtAuthorization(options: JwtAuthorizationOptions): RouteAuthorization {
  const now = options.now ?? Date.now;
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keySetOf = (url: URL) => {
    let keySet = keySets.get(url.href);
    if (keySet === undefined) {
      keySet = createRemoteJWKSet(url);
      keySets.set(url.href, keySet);
    }
    return keySet;
  };

  return {
    async authorize({ facts, route }: AuthorizationInput): Promise<AuthorizationOutcome> {
      const config = route.authorizer?.jwt;
      if (config === undefined) {
        options.log(`route ${route.key.text}: JWT authorization without a JWT authorizer`);
        return { ok: false, response: jsonError(GATEWAY_ERRORS.internalError) };
      }
      const source = route.authorizer?.identitySource[0] ?? DEFAULT_IDENTITY_SOURCE;
      const raw = readIdentitySource(source, facts)?.trim();
      if (raw === undefined || raw === '') {
        return { ok: false, response: jsonError(GATEWAY_ERRORS.unauthorized) };
      }
      const token = raw.replace(/^Bearer\s+/i, '');
      const jwksUrl = jwksUrlOf(config.issuer);
      if (jwksUrl === undefined) {
        options.log(
          `JWT issuer ${config.issuer} is neither https nor a loopback http URL: tokens are refused`,
        );
        return invalidToken('the issuer cannot be reached');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySetOf(jwksUrl), {
          issuer: config.issuer,
          algorithms: ALGORITHMS,
          requiredClaims: ['exp'],
          currentDate: new Date(now()),
        }));
      } catch (error) {
        return invalidToken(describe(error, token));
      }
      if (typeof payload.iat === 'number' && payload.iat * 1000 > now()) {
        return invalidToken('the token was issued in the future');
      }
      if (!audienceMatches(payload, config.audience)) {
        return invalidToken('the token does not have a valid audience');
      }
      const scopes = tokenScopes(payload);
      const required = route.authorizationScopes;
      if (required.length > 0 && !required.some((scope) => scopes?.includes(scope))) {
        return {
          ok: false,
          response: jsonError(GATEWAY_ERRORS.forbidden, {
            'www-authenticate': [
              `Bearer scope="${required.join(' ')}" error="insufficient_scope" error_description="the token does not have the required scope"`,
            ],
          }),
        };
      }
      return {
        ok: true,
        authorizer: { jwt: { claims: stringifyJwtClaims(payload), scopes: scopes ?? null } },
      };
    },
  };
}
