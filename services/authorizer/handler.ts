import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { readDirectoryUser } from '../../shared/user-directory';
import { authorize } from './authorize';
import { type AuthorizerConfig, readAuthorizerConfig } from './config';
import { createIdTokenVerifier } from './id-token-verifier';
import { readPartnerBinding } from './partner-clients';
import { createPartnerTokenVerifier } from './partner-token-verifier';
import { readTenantProfile } from './tenant-profiles';

/** A TOKEN authorizer handler. */
export type AuthorizerHandler = (
  event: APIGatewayTokenAuthorizerEvent,
) => Promise<APIGatewayAuthorizerResult>;

/**
 * The REST API's Lambda TOKEN authorizer: a Cognito ID token → a tenant user's policy; a partner's client-credentials
 * access token (scope `events/write`, a client bound to one tenant) → POST /events for that tenant. Wired to `config`.
 */
export function createAuthorizerHandler(config: AuthorizerConfig): AuthorizerHandler {
  // Created once per execution environment: the JWKS and parsed keys are reused by every invocation.
  const verifier = createIdTokenVerifier({
    issuer: config.ISSUER,
    jwksUri: config.JWKS_URI,
    clientId: config.USER_POOL_CLIENT_ID,
  });
  const partnerVerifier = createPartnerTokenVerifier({ issuer: config.ISSUER, jwksUri: config.JWKS_URI });
  return (event) =>
    authorize(event, {
      verifier,
      tenantProfile: (tenantId) => readTenantProfile(config.TABLE_NAME, tenantId),
      directoryUser: (tenantId, userId) => readDirectoryUser(config.TABLE_NAME, tenantId, userId),
      partners: {
        verifier: partnerVerifier,
        binding: (clientId) => readPartnerBinding(config.TABLE_NAME, clientId),
      },
    });
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createAuthorizerHandler(readAuthorizerConfig())));
