import { createSigV4Check, type SigV4CheckOptions } from '../../gateway/sigv4-check';
import type { AuthorizationRequest, AuthorizationResult } from '../rest-authorization';

/**
 * AWS_IAM on a REST method: the gateways' shared SigV4 check; its identity becomes `requestContext.identity`
 * (caller, user, userArn, accessKey) and its refusals the REST gateway responses of the same type.
 */
export function createIamAuthorizer(options: SigV4CheckOptions) {
  const check = createSigV4Check(options);
  return {
    async authorize(request: AuthorizationRequest): Promise<AuthorizationResult> {
      const result = await check.verify(request);
      // The signer's policies were evaluated for execute-api:Invoke (given IAM); cache invalidation is not.
      return result.ok ? { ok: true, identity: { ...result.identity }, mayInvalidateCache: true } : result;
    },
  };
}
