import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The server side of SRP-6a (RFC 5054) as Cognito's USER_SRP_AUTH runs it. No maintained library serves it: the
 * SRP packages on npm are clients or speak other variants (Cognito pads values its own way, derives the key with
 * HKDF and signs a timestamped secret block). The math is parametrised by the group, so the same functions are
 * checked against RFC 5054's test vectors (1024-bit group, SHA-1, fixed-width padding) and Cognito's client.
 */
export interface SrpGroup {
  readonly N: bigint;
  readonly g: bigint;
  readonly hash: 'sha1' | 'sha256';
  /** How a number is turned into bytes before hashing (`PAD()` in RFC 5054). */
  readonly pad: (value: bigint) => Buffer;
}

function hex(value: bigint): string {
  const text = value.toString(16);
  return text.length % 2 === 0 ? text : `0${text}`;
}

/**
 * Cognito's padding: the big-endian bytes, with a leading zero byte when the top bit is set (a positive
 * two's-complement number, as Java's BigInteger writes it).
 */
export function cognitoPad(value: bigint): Buffer {
  const text = hex(value);
  return Buffer.from(/^[89a-f]/i.test(text) ? `00${text}` : text, 'hex');
}

/** RFC 5054's padding: left-padded with zeros to the byte length of N. */
export function fixedWidthPad(N: bigint): (value: bigint) => Buffer {
  const width = hex(N).length / 2;
  return (value) => Buffer.from(hex(value).padStart(width * 2, '0'), 'hex');
}

/** RFC 3526's 3072-bit MODP group, the one Cognito uses (g = 2). */
const N_3072 = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);

/** Cognito's SRP group: N 3072-bit, g = 2, SHA-256, Cognito's padding. */
export const COGNITO_SRP_GROUP: SrpGroup = { N: N_3072, g: 2n, hash: 'sha256', pad: cognitoPad };

/** `base^exponent mod modulus` by square-and-multiply on native bigints. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function digest(group: SrpGroup, ...parts: Buffer[]): Buffer {
  const hash = createHash(group.hash);
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

/** k = H(PAD(N) | PAD(g)). */
export function multiplier(group: SrpGroup): bigint {
  return toBigInt(digest(group, group.pad(group.N), group.pad(group.g)));
}

/** x = H(salt | H(identity ":" password)); Cognito's identity is the pool name followed by the user name. */
export function privateKey(group: SrpGroup, salt: Buffer, identity: string, password: string): bigint {
  return toBigInt(digest(group, salt, digest(group, Buffer.from(`${identity}:${password}`, 'utf8'))));
}

/** v = g^x mod N: what the server keeps instead of the password. */
export function verifier(group: SrpGroup, x: bigint): bigint {
  return modPow(group.g, x, group.N);
}

/** B = (k·v + g^b) mod N. */
export function serverPublic(group: SrpGroup, v: bigint, b: bigint): bigint {
  return (multiplier(group) * v + modPow(group.g, b, group.N)) % group.N;
}

/** u = H(PAD(A) | PAD(B)). */
export function scrambler(group: SrpGroup, A: bigint, B: bigint): bigint {
  return toBigInt(digest(group, group.pad(A), group.pad(B)));
}

/** S = (A · v^u)^b mod N, the premaster secret the server shares with an honest client. */
export function serverSecret(group: SrpGroup, A: bigint, v: bigint, u: bigint, b: bigint): bigint {
  return modPow((A * modPow(v, u, group.N)) % group.N, b, group.N);
}

/** A client's A = g^a mod N (the server never computes it; tests and the reference vectors do). */
export function clientPublic(group: SrpGroup, a: bigint): bigint {
  return modPow(group.g, a, group.N);
}

/** Cognito's session key: HKDF-SHA256 of PAD(S) salted with PAD(u), info "Caldera Derived Key", 16 bytes. */
export function cognitoSessionKey(S: bigint, u: bigint): Buffer {
  return Buffer.from(hkdfSync('sha256', cognitoPad(S), cognitoPad(u), 'Caldera Derived Key', 16));
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The TIMESTAMP format Cognito's clients send: `ddd MMM D HH:mm:ss UTC YYYY` (day not zero-padded). */
export function cognitoTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

/** Parses a Cognito TIMESTAMP; undefined when it is not one. */
export function parseCognitoTimestamp(text: string): Date | undefined {
  const match = /^(\w{3}) (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(text);
  if (match === null) return undefined;
  const [, , month = '', day, hours, minutes, seconds, year] = match;
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex < 0) return undefined;
  return new Date(
    Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds)),
  );
}

/** PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key, poolName | userId | secretBlock | timestamp)). */
export function passwordClaimSignature(input: {
  readonly key: Buffer;
  readonly poolName: string;
  readonly userIdForSrp: string;
  readonly secretBlock: Buffer;
  readonly timestamp: string;
}): string {
  return createHmac('sha256', input.key)
    .update(Buffer.from(input.poolName, 'utf8'))
    .update(Buffer.from(input.userIdForSrp, 'utf8'))
    .update(input.secretBlock)
    .update(Buffer.from(input.timestamp, 'utf8'))
    .digest('base64');
}

/** The pool name SRP mixes in: the part of the pool id after the region (`us-east-1_AbC` → `AbC`). */
export function poolNameOf(userPoolId: string): string {
  return userPoolId.slice(userPoolId.indexOf('_') + 1);
}

/** One USER_SRP_AUTH exchange as the server holds it between InitiateAuth and the PASSWORD_VERIFIER answer. */
export interface SrpChallenge {
  readonly salt: Buffer;
  readonly b: bigint;
  readonly B: bigint;
  readonly A: bigint;
  readonly v: bigint;
}

/**
 * Starts the server's side for a client's A: a fresh salt and b, and B from the verifier of the user's password.
 * Returns undefined when A mod N is 0 (a client forcing S = 0: Cognito refuses it).
 */
export function startSrp(input: {
  readonly A: bigint;
  readonly userPoolId: string;
  readonly userIdForSrp: string;
  readonly password: string;
}): SrpChallenge | undefined {
  const group = COGNITO_SRP_GROUP;
  if (input.A % group.N === 0n) return undefined;
  // The local store keeps passwords (USER_PASSWORD_AUTH needs them), so the verifier is derived per exchange
  // with a fresh salt; the client sees the same protocol as with Cognito's stored salt and verifier.
  const salt = cognitoPad(toBigInt(randomBytes(16)));
  const x = privateKey(group, salt, `${poolNameOf(input.userPoolId)}${input.userIdForSrp}`, input.password);
  const v = verifier(group, x);
  let b = 0n;
  let B = 0n;
  while (B % group.N === 0n) {
    b = toBigInt(randomBytes(128));
    B = serverPublic(group, v, b);
  }
  return { salt, b, B, A: input.A, v };
}

/** The SALT and SRP_B challenge parameters as the client reads them (hex). */
export function challengeHex(challenge: SrpChallenge): { SALT: string; SRP_B: string } {
  return { SALT: challenge.salt.toString('hex'), SRP_B: challenge.B.toString(16) };
}

/** Checks the client's PASSWORD_CLAIM_SIGNATURE: true only when the client knew the password. */
export function verifyPasswordClaim(input: {
  readonly challenge: SrpChallenge;
  readonly userPoolId: string;
  readonly userIdForSrp: string;
  readonly secretBlock: Buffer;
  readonly timestamp: string;
  readonly signature: string;
}): boolean {
  const group = COGNITO_SRP_GROUP;
  const { challenge } = input;
  const u = scrambler(group, challenge.A, challenge.B);
  if (u === 0n) return false;
  const S = serverSecret(group, challenge.A, challenge.v, u, challenge.b);
  const expected = Buffer.from(
    passwordClaimSignature({
      key: cognitoSessionKey(S, u),
      poolName: poolNameOf(input.userPoolId),
      userIdForSrp: input.userIdForSrp,
      secretBlock: input.secretBlock,
      timestamp: input.timestamp,
    }),
    'base64',
  );
  const given = Buffer.from(input.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Parses a hex number sent by a client (SRP_A); undefined when it is not hex. */
export function parseHex(text: string): bigint | undefined {
  return /^[0-9a-f]+$/i.test(text) ? BigInt(`0x${text}`) : undefined;
}
