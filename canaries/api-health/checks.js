// @ts-check
/**
 * What the API health canary checks, apart from the Synthetics runtime (index.js) so it runs and is tested
 * anywhere: the public storefront of a tenant slug, a Cognito sign-in of the canary user (with its TOTP
 * second factor where the pool requires MFA), and an authenticated REST read. Each check throws with a
 * message an operator can act on; nothing here logs a credential or a token.
 */
const crypto = require('node:crypto');

/** A check's HTTP calls give up after this, well inside the canary's timeout. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * @typedef {{ status: number; body: unknown }} JsonReply
 * @typedef {import('@aws-sdk/client-cognito-identity-provider').CognitoIdentityProviderClient} CognitoClient
 * @typedef {Pick<
 *   typeof import('@aws-sdk/client-cognito-identity-provider'),
 *   'AdminInitiateAuthCommand' | 'AdminRespondToAuthChallengeCommand'
 * >} CognitoCommands
 * @typedef {{ ChallengeName?: string; Session?: string; AuthenticationResult?: { IdToken?: string } }} AuthReply
 * @typedef {{ username: string; password: string; totpSeed?: string }} CanaryCredentials
 */

/**
 * GET `url` and parse its JSON body (a body that is not JSON is kept as text).
 * @param {string} url
 * @param {Record<string, string>} [headers]
 * @returns {Promise<JsonReply>}
 */
async function getJson(url, headers = {}) {
  const response = await fetch(url, {
    headers: { accept: 'application/json', ...headers },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/**
 * @param {unknown} body
 * @returns {body is { items: unknown[] }}
 */
function isPage(body) {
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray(/** @type {{ items?: unknown }} */ (body).items)
  );
}

/**
 * @param {unknown} body
 * @returns {string | undefined}
 */
function errorCode(body) {
  if (typeof body !== 'object' || body === null) return undefined;
  const code = /** @type {{ code?: unknown }} */ (body).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * @param {string} base
 * @param {string} path
 */
function join(base, path) {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * The public HTTP API answers for `slug`: 200 with a page of items (the tenant exists), or the product's own
 * 404 (`code: NotFound`, so the route, its function and its table read all ran). Anything else fails: a
 * gateway error, a 5XX, a body of another shape.
 * @param {string} publicApiUrl
 * @param {string} slug
 * @returns {Promise<'catalog' | 'no such tenant'>}
 */
async function checkPublicCatalog(publicApiUrl, slug) {
  const reply = await getJson(join(publicApiUrl, `public/${encodeURIComponent(slug)}/catalog`));
  if (reply.status === 200 && isPage(reply.body)) return 'catalog';
  if (reply.status === 404 && errorCode(reply.body) === 'NotFound') return 'no such tenant';
  throw new Error(
    `public catalog of '${slug}' answered ${reply.status} ${describe(reply.body)}: expected 200 with items or 404 NotFound`,
  );
}

/**
 * The REST API's `GET /catalog` (Cognito user-pool authorizer) answers the canary user with a page of its
 * tenant's items.
 * @param {string} restApiUrl
 * @param {string} idToken
 * @returns {Promise<number>} how many items the page held
 */
async function checkTenantCatalog(restApiUrl, idToken) {
  const reply = await getJson(join(restApiUrl, 'catalog?limit=1'), { authorization: idToken });
  if (reply.status === 200 && isPage(reply.body)) return reply.body.items.length;
  throw new Error(`GET /catalog answered ${reply.status} ${describe(reply.body)}: expected 200 with items`);
}

/**
 * A short, credential-free description of a reply body for an error message.
 * @param {unknown} body
 */
function describe(body) {
  const code = errorCode(body);
  if (code !== undefined) return `(${code})`;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return `(${(text ?? '').slice(0, 80)})`;
}

/**
 * RFC 4648 base32, as authenticator apps and Cognito's AssociateSoftwareToken spell TOTP seeds.
 * @param {string} seed
 */
function base32Decode(seed) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = seed.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  /** @type {number[]} */
  const bytes = [];
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error('the TOTP seed is not base32: store the SecretCode as Cognito gave it');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/**
 * The RFC 6238 time-based one-time code (HMAC-SHA1, 30 s steps): what Cognito's software-token MFA expects.
 * @param {Buffer | string} seed the shared secret, raw bytes or base32
 * @param {number} timeMs
 * @param {number} [digits]
 */
function totp(seed, timeMs, digits = 6) {
  const key = typeof seed === 'string' ? base32Decode(seed) : seed;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 1000 / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}

/**
 * Signs the canary user in through its own app client (ADMIN_USER_PASSWORD_AUTH only, which needs the caller's
 * IAM permission, so the pool's public sign-in is unchanged), answering a software-token MFA challenge with the
 * stored seed, and returns the ID token.
 * @param {CognitoClient} cognito
 * @param {CognitoCommands} commands
 * @param {{ userPoolId: string; clientId: string; credentials: CanaryCredentials; now?: () => number }} options
 * @returns {Promise<string>}
 */
async function signIn(cognito, commands, options) {
  const { userPoolId, clientId, credentials } = options;
  const now = options.now ?? Date.now;
  /** @type {AuthReply} */
  let reply;
  try {
    reply = await cognito.send(
      new commands.AdminInitiateAuthCommand({
        UserPoolId: userPoolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: credentials.username, PASSWORD: credentials.password },
      }),
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    throw new Error(
      `the canary user cannot sign in (${name}): it is not set up yet, or its password differs from the secret; see README "Canary releases"`,
    );
  }
  if (reply.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
    if (!credentials.totpSeed) {
      throw new Error(
        'the pool asks the canary user for a TOTP code but the secret holds no totpSeed: see README',
      );
    }
    reply = await cognito.send(
      new commands.AdminRespondToAuthChallengeCommand({
        UserPoolId: userPoolId,
        ClientId: clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: reply.Session,
        ChallengeResponses: {
          USERNAME: credentials.username,
          SOFTWARE_TOKEN_MFA_CODE: totp(credentials.totpSeed, now()),
        },
      }),
    );
  }
  if (typeof reply.ChallengeName === 'string') {
    throw new Error(
      `sign-in of the canary user stopped at the ${reply.ChallengeName} challenge: finish its setup as README "Canary releases" shows`,
    );
  }
  const idToken = reply.AuthenticationResult?.IdToken;
  if (typeof idToken !== 'string') throw new Error('sign-in of the canary user returned no ID token');
  return idToken;
}

/**
 * The secret's JSON: `{ username, password }`, plus `totpSeed` once MFA is set up.
 * @param {string | undefined} secretString
 * @returns {CanaryCredentials}
 */
function parseCredentials(secretString) {
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw new Error('the canary secret is not JSON: it holds {"username","password"[,"totpSeed"]}');
  }
  const { username, password, totpSeed } = /** @type {Record<string, unknown>} */ (parsed ?? {});
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new Error('the canary secret lacks a username or a password');
  }
  return { username, password, ...(typeof totpSeed === 'string' && totpSeed ? { totpSeed } : {}) };
}

module.exports = { checkPublicCatalog, checkTenantCatalog, signIn, totp, parseCredentials };
