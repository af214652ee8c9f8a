import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { tracer } from '../../shared/tracer';
import { createIdTokenVerifier } from '../authorizer/id-token-verifier';
import { readTenantProfile } from '../authorizer/tenant-profiles';
import { authorizeConnect } from './authorize-connect';
import { type ConnectAuthorizerConfig, readConnectAuthorizerConfig } from './config';
import { createUserDirectory } from './user-directory';

/** A REQUEST authorizer handler. */
export type ConnectAuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEvent,
) => Promise<APIGatewayAuthorizerResult>;

/** The WebSocket API's `$connect` REQUEST authorizer (`?token=<ID token>`), wired to `config`. */
export function createConnectAuthorizerHandler(
  config: ConnectAuthorizerConfig,
  cognito: CognitoIdentityProviderClient = tracer.captureAWSv3Client(new CognitoIdentityProviderClient({})),
): ConnectAuthorizerHandler {
  // Created once per execution environment: the JWKS and parsed keys are reused by every invocation.
  const verifier = createIdTokenVerifier({
    issuer: config.ISSUER,
    jwksUri: config.JWKS_URI,
    clientId: config.USER_POOL_CLIENT_ID,
  });
  const users = createUserDirectory(config.USER_POOL_ID, cognito);
  return (event) =>
    authorizeConnect(event, {
      verifier,
      tenantProfile: (tenantId) => readTenantProfile(config.TABLE_NAME, tenantId),
      users,
    });
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() =>
  instrumented(createConnectAuthorizerHandler(readConnectAuthorizerConfig())),
);
