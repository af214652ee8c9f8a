import * as z from 'zod';

const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Where the signing keys come from decides who can mint accepted tokens, so they are fetched over TLS;
 * plain HTTP is accepted only from the loopback interface, where an issuer on the same machine serves them.
 */
const jwksUri = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname));
}, 'must be an https URL (http only on a loopback host)');

/**
 * The authorizer's environment contract: every variable its function is given, and how each is validated.
 * config.ts reads it at run time; infra/tenant-authorizer.ts binds exactly these names at synth.
 */
export const authorizerEnvironment = {
  /** The single table holding tenant profiles. */
  TABLE_NAME: z.string().min(1),
  /** The user pool's provider URL (the `iss` of its tokens). */
  ISSUER: z.url(),
  /** The user pool's JWKS, normally `${ISSUER}/.well-known/jwks.json`. */
  JWKS_URI: jwksUri,
  /** The app client whose ID tokens are accepted (`aud`). */
  USER_POOL_CLIENT_ID: z.string().min(1),
} satisfies z.ZodRawShape;
