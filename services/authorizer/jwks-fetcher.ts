import type { SimpleJwksCache } from 'aws-jwt-verify/jwk';

/** A JWKS fetch is on the request path of an uncached authorization, so it may not hang the authorizer. */
const JWKS_FETCH_TIMEOUT_MS = 3000;

/**
 * Fetches the issuer's JWKS with the runtime's `fetch`. aws-jwt-verify's default fetcher speaks https only,
 * which would refuse a loopback issuer on http; config.ts is what restricts plain http to loopback hosts.
 * Redirects are refused so the configured URI is the only place keys can come from.
 */
export const jwksFetcher: SimpleJwksCache['fetcher'] = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, {
      redirect: 'error',
      signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
    });
    if (response.status !== 200) throw new Error(`JWKS fetch from ${uri} answered ${response.status}`);
    return response.arrayBuffer();
  },
};
