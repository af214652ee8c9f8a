import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  randomUUID,
} from 'node:crypto';

/** A pool's RS256 signing key, in the JWK form it is persisted and published in. */
export interface SigningKey {
  readonly kid: string;
  /** Private JWK (persisted only under the local data dir; never served). */
  readonly privateJwk: JsonWebKey;
}

/** A public JWK as `/.well-known/jwks.json` serves it. */
export interface PublicJwk {
  readonly kid: string;
  readonly kty: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly n: string;
  readonly e: string;
}

/** Creates a fresh 2048-bit RSA key, as Cognito uses for its pool keys. */
export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateJwk: privateKey.export({ format: 'jwk' }) };
}

/** The public half of a signing key, shaped like an entry of Cognito's JWKS. */
export function publicJwk(key: SigningKey): PublicJwk {
  const publicKey = createPublicKey({ key: key.privateJwk, format: 'jwk' }).export({ format: 'jwk' });
  return {
    kid: key.kid,
    kty: String(publicKey.kty),
    alg: 'RS256',
    use: 'sig',
    n: String(publicKey.n),
    e: String(publicKey.e),
  };
}

/** Rebuilds the Node key object used for signing. */
export function privateKeyObject(key: SigningKey) {
  return createPrivateKey({ key: key.privateJwk, format: 'jwk' });
}
