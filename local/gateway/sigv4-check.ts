import { createHash, timingSafeEqual } from 'node:crypto';
// Node's own crypto (the SDK's Node.js hash), not the pure-JavaScript one: every signed call hashes its body.
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IamAuthority } from '../iam/call-authority';
import type { IncomingRequest } from '../model';

/** The secret of an access key, or undefined for a key the local cloud does not know. */
export type SecretLookup = Readonly<Record<string, string>> | ((accessKeyId: string) => string | undefined);

/** Options of `createSigV4Check`. */
export interface SigV4CheckOptions {
  /** Secret access key by access key id: the credentials the local cloud accepts. */
  readonly credentials: SecretLookup;
  /**
   * IAM: once the signature holds, the signer's policies must allow `action` on the method's execute-api ARN
   * (`arn:aws:execute-api:<region>:<acct>:<apiId>/<stage>/<METHOD>/<path>`). @default any known key is allowed
   */
  readonly iam?: IamAuthority;
  /** @default `execute-api:Invoke` (the `@connections` API checks `execute-api:ManageConnections`) */
  readonly action?: string;
  readonly region: string;
  readonly accountId: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /**
   * The URL path prefix clients call the stage under, which they sign along with the method path.
   * @default `/<stage>` (the path of `https://<api>.execute-api.<region>.amazonaws.com/<stage>/...`)
   */
  readonly signedPathPrefix?: (restApiId: string, stage: string) => string;
}

const MAX_SKEW_MS = 5 * 60 * 1000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]+)\s*$/i;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** What the check reads of a request: the API and stage it was sent to, and the request as received. */
export interface SignedRequest {
  /** The API's id (REST, HTTP or WebSocket). */
  readonly restApiId: string;
  readonly stage: string;
  /** `path` is the part after the stage prefix; the prefix the client signed is added back. */
  readonly request: Pick<IncomingRequest, 'method' | 'path' | 'headers' | 'query' | 'body'>;
}

/** The caller a valid signature names, in `requestContext.identity` terms. */
export interface SigV4Identity {
  readonly accessKey: string;
  readonly caller: string;
  readonly user: string;
  readonly userArn: string;
  readonly accountId: string;
}

/**
 * Why a signature was refused. Both are 403s; each gateway words them its own way (REST gateway responses,
 * HTTP API `{"message":"Forbidden"}`, `@connections` error types).
 */
export interface SigV4Refusal {
  readonly ok: false;
  readonly statusCode: 403;
  readonly responseType: 'MISSING_AUTHENTICATION_TOKEN' | 'INVALID_SIGNATURE' | 'ACCESS_DENIED';
  readonly message: string;
}

/** Outcome of the check. */
export type SigV4Result = { readonly ok: true; readonly identity: SigV4Identity } | SigV4Refusal;

const refuse = {
  missingAuthenticationToken: (): SigV4Refusal => ({
    ok: false,
    statusCode: 403,
    responseType: 'MISSING_AUTHENTICATION_TOKEN',
    message: 'Missing Authentication Token',
  }),
  invalidSignature: (message: string): SigV4Refusal => ({
    ok: false,
    statusCode: 403,
    responseType: 'INVALID_SIGNATURE',
    message,
  }),
  /**
   * An access key id that no known credential has. AWS reports UnrecognizedClientException; API Gateway
   * has no gateway-response type of that name, so it is customised as INVALID_SIGNATURE.
   */
  unrecognizedClient: (): SigV4Refusal => ({
    ok: false,
    statusCode: 403,
    responseType: 'INVALID_SIGNATURE',
    message: 'The security token included in the request is invalid.',
  }),
};

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s));
}

/**
 * How AWS quotes a malformed Authorization header today: hashed, never as sent (it may be a bearer token
 * sent to the wrong route).
 */
function hashedForMessage(authorization: string): string {
  const digest = createHash('sha256').update(authorization).digest('base64');
  return `Authorization header (hashed with SHA-256 and encoded with Base64): '${digest}'.`;
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The SigV4 check the three gateways share (REST AWS_IAM, HTTP API AWS_IAM, the `@connections` API): verifies
 * a SigV4 `Authorization` header by re-signing the request (method, the stage-prefixed path, query, exactly
 * the signed headers, body) with the secret of its access key for `execute-api` in the region. Any known key
 * is then allowed; IAM policies are not evaluated.
 */
export function createSigV4Check(options: SigV4CheckOptions) {
  const prefixOf = options.signedPathPrefix ?? ((_restApiId: string, stage: string) => `/${stage}`);

  return {
    async verify(request: SignedRequest): Promise<SigV4Result> {
      const headers = request.request.headers;
      // Repeated headers: the last value, as API Gateway's single-value `headers` (and so the token
      // authorizers' `method.request.header.Authorization`) take it, so every authorizer reads the same one.
      const authorization = headers.authorization?.at(-1);
      if (authorization === undefined || authorization.trim() === '') {
        return refuse.missingAuthenticationToken();
      }
      const match = AUTHORIZATION.exec(authorization.trim());
      if (match === null) {
        return refuse.invalidSignature(
          `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. ${hashedForMessage(authorization)}`,
        );
      }
      const [, credential = '', signedHeaderList = '', signature = ''] = match;
      const [accessKeyId = '', scopeDate, scopeRegion, scopeService, terminator] = credential.split('/');
      const secretAccessKey =
        typeof options.credentials === 'function'
          ? options.credentials(accessKeyId)
          : options.credentials[accessKeyId];
      if (secretAccessKey === undefined) return refuse.unrecognizedClient();
      if (scopeRegion !== options.region || scopeService !== 'execute-api' || terminator !== 'aws4_request') {
        return refuse.invalidSignature(
          `Credential should be scoped to a valid region, service 'execute-api' and terminated by 'aws4_request'.`,
        );
      }
      const amzDate = headers['x-amz-date']?.[0] ?? '';
      const signingDate = parseAmzDate(amzDate);
      if (signingDate === undefined || scopeDate !== amzDate.slice(0, 8)) {
        return refuse.invalidSignature(SIGNATURE_MISMATCH);
      }
      if (Math.abs(options.now() - signingDate.getTime()) > MAX_SKEW_MS) {
        return refuse.invalidSignature(`Signature expired: ${amzDate} is now outside the 5 minute window.`);
      }

      // The signer trusts x-amz-content-sha256 as the payload hash, so it must be the body's real hash.
      const declaredHash = headers['x-amz-content-sha256']?.[0];
      const bodyHash = createHash('sha256').update(request.request.body).digest('hex');
      if (declaredHash !== undefined && declaredHash.toLowerCase() !== bodyHash) {
        return refuse.invalidSignature(
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      }

      const signed = new Set(signedHeaderList.toLowerCase().split(';'));
      if (!signed.has('host')) return refuse.invalidSignature(SIGNATURE_MISMATCH);
      const toSign: Record<string, string> = {};
      for (const name of signed) {
        const values = headers[name];
        if (values === undefined) return refuse.invalidSignature(SIGNATURE_MISMATCH);
        toSign[name] = values.join(',');
      }
      // Sign exactly the headers the client signed: everything else (including what the signer would add
      // itself, such as x-amz-content-sha256) stays out of the canonical request.
      const unsignable = new Set(
        [...Object.keys(headers), 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'].filter(
          (name) => !signed.has(name),
        ),
      );
      const sessionToken = headers['x-amz-security-token']?.[0];
      const signer = new SignatureV4({
        service: 'execute-api',
        region: options.region,
        sha256: Sha256,
        credentials: {
          accessKeyId,
          secretAccessKey,
          ...(sessionToken === undefined ? {} : { sessionToken }),
        },
      });
      const [hostname = '', port] = (toSign.host ?? '').split(':');
      const resigned = await signer.sign(
        {
          method: request.request.method,
          protocol: 'https:',
          hostname,
          ...(port === undefined ? {} : { port: Number(port) }),
          path: `${prefixOf(request.restApiId, request.stage)}${request.request.path}`,
          query: { ...request.request.query },
          headers: toSign,
          body: request.request.body,
        },
        { signingDate, signableHeaders: signed, unsignableHeaders: unsignable },
      );
      const expected = /Signature=([0-9a-f]+)/.exec(String(resigned.headers.authorization ?? ''))?.[1] ?? '';
      if (!sameHex(expected, signature)) return refuse.invalidSignature(SIGNATURE_MISMATCH);

      const principal = options.iam?.principalOf(accessKeyId);
      if (options.iam && principal) {
        const resource = `arn:aws:execute-api:${options.region}:${options.accountId}:${request.restApiId}/${request.stage}/${request.request.method}${request.request.path}`;
        const refusal = options.iam.authorize(principal, {
          action: options.action ?? 'execute-api:Invoke',
          resource,
        });
        if (refusal)
          return { ok: false, statusCode: 403, responseType: 'ACCESS_DENIED', message: refusal.message };
      }
      return {
        ok: true,
        identity: {
          accessKey: accessKeyId,
          caller: accessKeyId,
          user: accessKeyId,
          userArn: principal?.arn ?? `arn:aws:iam::${options.accountId}:user/local`,
          accountId: options.accountId,
        },
      };
    },
  };
}
