import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { type Api, ApiError } from './api';

/** AWS credentials an operator pastes (as `aws configure export-credentials` prints them). */
export interface OperatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials (SSO, an assumed role) come with one. */
  readonly sessionToken?: string;
}

const CREDENTIALS_KEY = 'console.operatorCredentials';

/**
 * The operator's credentials kept for this tab: sessionStorage only, so they go when the tab closes and no other
 * tab or later visit sees them.
 */
export const operatorCredentials = {
  load(): OperatorCredentials | undefined {
    const kept = sessionStorage.getItem(CREDENTIALS_KEY);
    return kept === null ? undefined : (JSON.parse(kept) as OperatorCredentials);
  },
  save(credentials: OperatorCredentials): void {
    sessionStorage.setItem(CREDENTIALS_KEY, JSON.stringify(credentials));
  },
  clear(): void {
    sessionStorage.removeItem(CREDENTIALS_KEY);
  },
};

/**
 * The operator API (`/tenants…`, AWS_IAM) at `baseUrl`, each request signed in the browser with SigV4 for
 * `execute-api` in `region`. The browser sends the signed headers as they are (it sets `host` itself, to the same
 * value), which is why the REST API's CORS allows X-Amz-Date, X-Amz-Security-Token and X-Amz-Content-Sha256.
 */
export function signedApi(baseUrl: string, region: string, credentials: OperatorCredentials): Api {
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const url = new URL(`${baseUrl}${path}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        host: url.host,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: payload }),
    });
    // `host` is the browser's to send (a forbidden header name); it is signed with the value it will send.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(url, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    }).catch(() => {
      throw new ApiError(
        0,
        `${method} ${path}: no readable answer (offline, or refused before the API answered)`,
      );
    });
    const text = await response.text();
    const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (!response.ok) {
      throw new ApiError(
        response.status,
        `${response.status}: ${String(parsed.message ?? parsed.Message ?? text)}`,
      );
    }
    return parsed as T;
  };
}
