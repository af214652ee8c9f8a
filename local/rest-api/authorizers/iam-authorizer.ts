import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AuthorizationRequest, AuthorizationResult } from '../rest-authorization';
import { authorizerRefusals } from './authorizer-refusals';

/** Options of `createIamAuthorizer`. */
export interface IamAuthorizerOptions {
  /** Secret access key by access key id: the credentials the local cloud accepts. */
  readonly credentials: Readonly<Record<string, string>>;
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
export function hashedForMessage(authorization: string): string {
  const digest = createHash('sha256').update(authorization).digest('base64');
  return `Authorization header (hashed with SHA-256 and encoded with Base64): '${digest}'.`;
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * AWS_IAM: verifies a SigV4 `Authorization` header by re-signing the request (method, the stage-prefixed
 * path, query, exactly the signed headers, body) with the secret of its access key for
 * `execute-api` in the region. Any known key is then allowed; IAM policies are not evaluated.
 */
export function createIamAuthorizer(options: IamAuthorizerOptions) {
  const prefixOf = options.signedPathPrefix ?? ((_restApiId: string, stage: string) => `/${stage}`);

  return {
    async authorize(request: AuthorizationRequest): Promise<AuthorizationResult> {
      const headers = request.request.headers;
      // Repeated headers: the last value, as API Gateway's single-value `headers` (and so the token
      // authorizers' `method.request.header.Authorization`) take it, so every authorizer reads the same one.
      const authorization = headers.authorization?.at(-1);
      if (authorization === undefined || authorization.trim() === '') {
        return authorizerRefusals.missingAuthenticationToken();
      }
      const match = AUTHORIZATION.exec(authorization.trim());
      if (match === null) {
        return authorizerRefusals.invalidSignature(
          `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. ${hashedForMessage(authorization)}`,
        );
      }
      const [, credential = '', signedHeaderList = '', signature = ''] = match;
      const [accessKeyId = '', scopeDate, scopeRegion, scopeService, terminator] = credential.split('/');
      const secretAccessKey = options.credentials[accessKeyId];
      if (secretAccessKey === undefined) return authorizerRefusals.unrecognizedClient();
      if (scopeRegion !== options.region || scopeService !== 'execute-api' || terminator !== 'aws4_request') {
        return authorizerRefusals.invalidSignature(
          `Credential should be scoped to a valid region, service 'execute-api' and terminated by 'aws4_request'.`,
        );
      }
      const amzDate = headers['x-amz-date']?.[0] ?? '';
      const signingDate = parseAmzDate(amzDate);
      if (signingDate === undefined || scopeDate !== amzDate.slice(0, 8)) {
        return authorizerRefusals.invalidSignature(SIGNATURE_MISMATCH);
      }
      if (Math.abs(options.now() - signingDate.getTime()) > MAX_SKEW_MS) {
        return authorizerRefusals.invalidSignature(
          `Signature expired: ${amzDate} is now outside the 5 minute window.`,
        );
      }

      // The signer trusts x-amz-content-sha256 as the payload hash, so it must be the body's real hash.
      const declaredHash = headers['x-amz-content-sha256']?.[0];
      const bodyHash = createHash('sha256').update(request.request.body).digest('hex');
      if (declaredHash !== undefined && declaredHash.toLowerCase() !== bodyHash) {
        return authorizerRefusals.invalidSignature(
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      }

      const signed = new Set(signedHeaderList.toLowerCase().split(';'));
      if (!signed.has('host')) return authorizerRefusals.invalidSignature(SIGNATURE_MISMATCH);
      const toSign: Record<string, string> = {};
      for (const name of signed) {
        const values = headers[name];
        if (values === undefined) return authorizerRefusals.invalidSignature(SIGNATURE_MISMATCH);
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
      if (!sameHex(expected, signature)) return authorizerRefusals.invalidSignature(SIGNATURE_MISMATCH);

      return {
        ok: true,
        identity: {
          accessKey: accessKeyId,
          caller: accessKeyId,
          user: accessKeyId,
          userArn: `arn:aws:iam::${options.accountId}:user/local`,
          accountId: options.accountId,
        },
      };
    },
  };
}
