import type { SigV4CheckOptions } from '../../gateway/sigv4-check';
import type { IamAuthority } from '../../iam/call-authority';
import type { IdentityIssuers } from '../../identity/identity-server';
import type { LambdaInvoker } from '../../model';
import type { AuthorizerCaches } from '../authorizer-caches';
import type { AuthorizationResult, RestAuthorizers } from '../rest-authorization';
import { authorizerRefusals } from './authorizer-refusals';
import { createCognitoAuthorizer } from './cognito-authorizer';
import { createIamAuthorizer } from './iam-authorizer';
import { createLambdaAuthorizers } from './lambda-authorizer';

/** Options of `createRestAuthorizers`. */
export interface RestAuthorizersOptions {
  /** Runs TOKEN/REQUEST authorizer functions. */
  readonly invoker: LambdaInvoker;
  /** The local issuer whose keys verify COGNITO_USER_POOLS tokens. */
  readonly identity: IdentityIssuers;
  /** Secret access key by access key id, for AWS_IAM (SigV4). */
  readonly credentials: SigV4CheckOptions['credentials'];
  /** IAM: AWS_IAM methods evaluate the signer's policies for `execute-api:Invoke`. @default not evaluated */
  readonly iam?: IamAuthority;
  readonly region: string;
  readonly accountId: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** The stages' Lambda authorizer caches, shared with the control plane. @default their own */
  readonly authorizerCaches?: AuthorizerCaches;
  /** URL path prefix clients sign before the method path. @default `/<stage>` */
  readonly signedPathPrefix?: (restApiId: string, stage: string) => string;
}

/**
 * The REST API authorizer layer: Cognito user pools, Lambda TOKEN/REQUEST (with policy evaluation and
 * result caching) and AWS_IAM (SigV4). `NONE` passes through.
 */
export function createRestAuthorizers(options: RestAuthorizersOptions): RestAuthorizers {
  const now = options.now ?? Date.now;
  const cognito = createCognitoAuthorizer({ identity: options.identity, now });
  const lambda = createLambdaAuthorizers({
    region: options.region,
    accountId: options.accountId,
    invoker: options.invoker,
    now,
    caches: options.authorizerCaches,
  });
  const iam = createIamAuthorizer({
    credentials: options.credentials,
    ...(options.iam ? { iam: options.iam } : {}),
    region: options.region,
    accountId: options.accountId,
    now,
    signedPathPrefix: options.signedPathPrefix,
  });

  return {
    async authorize(request): Promise<AuthorizationResult> {
      switch (request.authorizationType) {
        case 'NONE':
          return { ok: true };
        case 'AWS_IAM':
          return iam.authorize(request);
        case 'COGNITO_USER_POOLS':
          return request.authorizer === undefined
            ? authorizerRefusals.authorizerConfigurationError()
            : cognito.authorize(request, request.authorizer);
        case 'CUSTOM':
          return request.authorizer === undefined
            ? authorizerRefusals.authorizerConfigurationError()
            : lambda.authorize(request, request.authorizer);
        default:
          return authorizerRefusals.authorizerConfigurationError();
      }
    },
  };
}
