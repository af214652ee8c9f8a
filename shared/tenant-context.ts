import type { APIGatewayProxyEvent, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { UnauthorizedError } from './errors';
import { type Role, roleSchema } from './role';

/** Who is calling, as established by an authorizer. The tenant never comes from path, body, query or header. */
export interface Principal {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  readonly groups: readonly string[];
}

function asRole(value: unknown): Role {
  const role = roleSchema.safeParse(value);
  if (role.success) return role.data;
  throw new UnauthorizedError('the caller has no valid role');
}

function required(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new UnauthorizedError(`the caller has no ${what}`);
  return value;
}

/**
 * Group claims as API Gateway flattens them into strings: `"admin,member"` (REST Cognito authorizer),
 * `"[admin member]"` (HTTP API JWT authorizer), or a single name.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string' || claim.trim() === '') return [];
  const inner = claim.trim().replace(/^\[(.*)\]$/, '$1');
  return inner.split(/[\s,]+/).filter(Boolean);
}

/** The principal behind the REST API's Lambda authorizer (string-only context set by services/authorizer). */
export function principalFromLambdaAuthorizer(event: APIGatewayProxyEvent): Principal {
  const context = event.requestContext?.authorizer ?? {};
  const role = asRole(context.role);
  return {
    tenantId: required(context.tenantId, 'tenant'),
    userId: required(context.userId, 'user id'),
    role,
    groups: [role],
  };
}

/** The principal behind the REST API's Cognito user-pool authorizer (claims stringified by API Gateway). */
export function principalFromCognitoClaims(event: APIGatewayProxyEvent): Principal {
  const claims = (event.requestContext?.authorizer?.claims ?? {}) as Record<string, unknown>;
  return {
    tenantId: required(claims['custom:tenantId'], 'tenant'),
    userId: required(claims.sub, 'user id'),
    role: asRole(claims['custom:role']),
    groups: parseGroups(claims['cognito:groups']),
  };
}

/**
 * The principal behind an HTTP API's native JWT authorizer (claims stringified by API Gateway). Only ID tokens
 * carry the tenant and role attributes: an access token of the same client passes the authorizer but is
 * refused here, with a message that says which token to send.
 */
export function principalFromJwtClaims(event: APIGatewayProxyEventV2WithJWTAuthorizer): Principal {
  const claims = (event.requestContext?.authorizer?.jwt?.claims ?? {}) as Record<string, unknown>;
  if (claims.token_use !== 'id')
    throw new UnauthorizedError('send the Cognito ID token, not an access token');
  return {
    tenantId: required(claims['custom:tenantId'], 'tenant'),
    userId: required(claims.sub, 'user id'),
    role: asRole(claims['custom:role']),
    groups: parseGroups(claims['cognito:groups']),
  };
}
