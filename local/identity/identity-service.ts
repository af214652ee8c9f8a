import type { IamAuthority } from '../iam/call-authority';
import { cognitoCall } from '../iam/cognito-calls';
import type { LocalService } from '../local-service';
import { CognitoError } from './cognito-error';
import {
  createIdentityServer,
  type IdentityIssuers,
  issuerUrlFor,
  type LocalIdentity,
} from './identity-server';
import { createTokenAdminServer } from './token-admin-server';

/** The identity service, with handles other services and CLIs use once it is bound. */
export interface IdentityService extends LocalService {
  /** Token verification for authorizers; usable from the moment the service is bound. */
  readonly issuers: IdentityIssuers;
  /** The running issuer (seeding, minting tokens); throws before the service is bound. */
  readonly identity: () => LocalIdentity;
}

/**
 * Cognito user pools: a local issuer per pool (JWKS, OpenID configuration; its port fixed before the template
 * loads, since `ProviderURL` and issuer URLs are built from it), the Identity Provider calls functions make
 * (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`), and the token admin endpoint `npm run token` calls.
 */
export function identityService(options: { readonly iam?: IamAuthority } = {}): IdentityService {
  const { iam } = options;
  let server: LocalIdentity | undefined;
  const identity = (): LocalIdentity => {
    if (!server) throw new Error('the identity service is not bound yet');
    return server;
  };
  return {
    name: 'identity',
    resourceTypes: {
      emulated: [
        'AWS::Cognito::UserPool',
        'AWS::Cognito::UserPoolClient',
        'AWS::Cognito::UserPoolGroup',
        'AWS::Cognito::UserPoolDomain',
        'AWS::Cognito::UserPoolResourceServer',
      ],
    },
    issuers: {
      issuerUrl: (userPoolId) => identity().issuerUrl(userPoolId),
      jwks: (userPoolId) => identity().jwks(userPoolId),
    },
    identity,
    async bind(context) {
      const running = await createIdentityServer({
        port: context.servicePort(0),
        deliver: (line) => context.log(line),
        ...(context.dataDir ? { dataDir: context.dataDir } : {}),
        // IAM-signed operations (Admin*, pool and client management) are evaluated; the token-authorized ones are not.
        ...(iam
          ? {
              authorize: (headers, url, operation, input) => {
                const model = iam.iamModel;
                const call = model && cognitoCall(operation, input, model.region, model.accountId);
                const refusal = call && iam.authorize(iam.principalOfRequest(headers, url), call);
                return refusal ? new CognitoError('AccessDeniedException', refusal.message) : undefined;
              },
            }
          : {}),
      });
      server = running;
      const admin = createTokenAdminServer(running);
      const adminUrl = await admin.listen(context.servicePort(1));
      return {
        templateEndpoints: {
          cognitoIssuer: (userPoolId) => issuerUrlFor(running.port, userPoolId),
          // Every local Cognito domain is the identity server's root: the client id in each request names the pool.
          cognitoDomain: () => running.endpoint,
        },
        functionEnv: { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: running.endpoint },
        async start({ model }) {
          running.registerModel(model);
          return {
            endpoints: [
              { kind: 'Cognito', name: 'identity', url: running.endpoint },
              { kind: 'token admin', name: 'identity', url: adminUrl },
            ],
            // Pools are updated by id: their users and signing keys stay; new pools and clients are added.
            reload: async (next) => {
              running.registerModel(next.model);
              return { changed: ['user pools and clients re-read'] };
            },
          };
        },
        async close() {
          await admin.close();
          await running.close();
        },
      };
    },
  };
}
