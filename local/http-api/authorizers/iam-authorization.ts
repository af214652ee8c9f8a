import { createSigV4Check, type SecretLookup } from '../../gateway/sigv4-check';
import type { IamAuthority } from '../../iam/call-authority';
import { jsonError } from '../http-api-response';
import { parseQuery } from '../payload-v2-event';
import type { AuthorizationInput, AuthorizationOutcome, RouteAuthorization } from './route-authorization';

/** Options of `createIamAuthorization`. */
export interface IamAuthorizationOptions {
  /** Secret access key by access key id: the credentials the local cloud accepts. */
  readonly credentials: SecretLookup;
  /** IAM: the signer's policies must allow `execute-api:Invoke` on the route. @default not evaluated */
  readonly iam?: IamAuthority;
  readonly region: string;
  readonly accountId: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * AWS_IAM on an HTTP API route: the SigV4 check of the REST emulator (re-signing for `execute-api`), with the
 * path clients sign: `/<path>` on the `$default` stage, `/<stage>/<path>` on a named one. Any known key is
 * allowed (no IAM policies locally). Refusals are 403: `{"message":"Forbidden"}` without a signature, else
 * the SigV4 message, as execute-api words it. The caller lands in `requestContext.authorizer.iam`.
 */
export function createIamAuthorization(options: IamAuthorizationOptions): RouteAuthorization {
  const verifier = createSigV4Check({
    credentials: options.credentials,
    ...(options.iam ? { iam: options.iam } : {}),
    region: options.region,
    accountId: options.accountId,
    now: options.now ?? Date.now,
    signedPathPrefix: (_apiId, stage) => (stage === '$default' ? '' : `/${stage}`),
  });

  return {
    async authorize({ facts }: AuthorizationInput): Promise<AuthorizationOutcome> {
      const { request } = facts;
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, values]) => [name, [...values]]),
      );
      const result = await verifier.verify({
        restApiId: facts.apiId,
        stage: facts.stage,
        request: {
          method: request.method,
          // SigV4 canonicalizes the decoded path (the signer encodes it again).
          path: decodeURIComponent(request.stagePath),
          headers,
          query: parseQuery(request.rawQueryString),
          body: request.body,
        },
      });
      if (!result.ok) {
        const missing = result.responseType === 'MISSING_AUTHENTICATION_TOKEN';
        return {
          ok: false,
          response: jsonError({ statusCode: 403, message: missing ? 'Forbidden' : result.message }),
        };
      }
      const { identity } = result;
      return {
        ok: true,
        authorizer: {
          iam: {
            accessKey: identity.accessKey ?? null,
            accountId: identity.accountId ?? options.accountId,
            callerId: identity.caller ?? null,
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: identity.userArn ?? null,
            userId: identity.user ?? null,
          },
        },
      };
    },
  };
}
