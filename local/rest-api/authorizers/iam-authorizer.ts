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
      if (!result.ok) return result;
      // The signer's policies were evaluated for execute-api:Invoke (given IAM); `Cache-Control: max-age=0` needs
      // execute-api:InvalidateCache on the method too.
      const { iam } = options;
      const mayInvalidateCache =
        iam === undefined ||
        iam.allows(iam.principalOf(result.identity.accessKey), {
          action: 'execute-api:InvalidateCache',
          resource: request.methodArn,
        });
      return { ok: true, identity: { ...result.identity }, mayInvalidateCache };
    },
  };
}
