import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { authorize } from './authorize';
import { readAuthorizerConfig } from './config';
import { createIdTokenVerifier } from './id-token-verifier';
import { readTenantProfile } from './tenant-profiles';

const config = readAuthorizerConfig();

// Created once per execution environment: the JWKS and parsed keys are reused by every invocation.
const verifier = createIdTokenVerifier({
  issuer: config.ISSUER,
  jwksUri: config.JWKS_URI,
  clientId: config.USER_POOL_CLIENT_ID,
});

/** The REST API's Lambda TOKEN authorizer (orders, jobs, events): Cognito ID token → tenant-scoped policy. */
export const handler = (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
  authorize(event, { verifier, tenantProfile: (tenantId) => readTenantProfile(config.TABLE_NAME, tenantId) });
