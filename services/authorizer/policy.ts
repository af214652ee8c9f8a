import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { Role } from '../../shared/role';
import type { Tier } from '../../shared/tier';
import { allowedResources, partnerResources } from './permissions';

/** The caller as the verified ID token and the tenant's profile describe it. */
export interface AuthorizedCaller {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly tier: Tier;
  /** The tenant's own API key value: API Gateway meters and throttles the tenant with it (key source AUTHORIZER). */
  readonly apiKeyValue: string;
}

/**
 * The authorizer's answer: Allow on every route the caller's role may call (the result is cached per token
 * for the next method too), string-only context for the integrations, and the tenant's API key.
 * The context is exactly what shared/tenant-context.ts `principalFromLambdaAuthorizer` reads.
 */
export function authorizerResult(methodArn: string, caller: AuthorizedCaller): APIGatewayAuthorizerResult {
  return {
    principalId: caller.userId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: allowedResources(methodArn, caller.role) },
      ],
    },
    context: { tenantId: caller.tenantId, userId: caller.userId, role: caller.role, tier: caller.tier },
    usageIdentifierKey: caller.apiKeyValue,
  };
}

/** A partner's machine client as its verified access token and its tenant binding describe it. */
export interface AuthorizedPartner {
  readonly clientId: string;
  readonly tenantId: string;
  readonly tier: Tier;
  readonly apiKeyValue: string;
}

/**
 * A partner's answer: Allow on the partner routes only (POST /events), the same context keys as a user's (the
 * event template reads only `tenantId`; `role` is `partner`, which no user handler accepts), and the tenant's API
 * key, so the partner's calls are metered and throttled as the tenant's.
 */
export function partnerAuthorizerResult(
  methodArn: string,
  partner: AuthorizedPartner,
): APIGatewayAuthorizerResult {
  return {
    principalId: partner.clientId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: partnerResources(methodArn) }],
    },
    context: { tenantId: partner.tenantId, userId: partner.clientId, role: 'partner', tier: partner.tier },
    usageIdentifierKey: partner.apiKeyValue,
  };
}
