import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { type AuthorizeDependencies, authenticate } from '../authorizer/authorize';
import { MAX_TOKEN_LENGTH } from '../authorizer/bearer-token';
import { isRejection, reject } from '../authorizer/rejection';
import type { UserDirectory } from './user-directory';

/** What authorizing a `$connect` depends on: the REST authorizer's verification plus the user directory. */
export interface ConnectDependencies extends AuthorizeDependencies {
  readonly users: UserDirectory;
}

/**
 * The string-only context a `$connect` authorizer returns; API Gateway hands it to every event of the
 * connection as `requestContext.authorizer` (services/live-connections reads exactly these keys).
 */
export interface ConnectAuthorizerContext {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: string;
  /** The token's `exp`, epoch seconds: the stored connection expires no later. */
  readonly tokenExpiresAt: string;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The token of a WebSocket handshake, from `?token=` (browsers cannot set headers on a WebSocket). The size cap
 * is checked before anything else, as the REST authorizer does with its header.
 */
export function queryToken(event: APIGatewayRequestAuthorizerEvent): string {
  const token = event.queryStringParameters?.token;
  if (typeof token !== 'string' || token === '') return reject('missing token query parameter');
  if (token.length > MAX_TOKEN_LENGTH) return reject('token too large', { length: String(token.length) });
  if (!JWT.test(token)) return reject('token query parameter is not a JWT');
  return token;
}

/**
 * Admits a WebSocket handshake whose `?token=` passes the REST authorizer's rules (the same `authenticate`) and
 * whose user still exists and is enabled, with a policy for this `$connect` only. Denials throw `Unauthorized`
 * (the upgrade is refused with 401); faults propagate (500), granting nothing.
 */
export async function authorizeConnect(
  event: APIGatewayRequestAuthorizerEvent,
  dependencies: ConnectDependencies,
): Promise<APIGatewayAuthorizerResult> {
  try {
    const { identity } = await authenticate(queryToken(event), dependencies);
    if (!(await dependencies.users.isActiveUser(identity.userId))) {
      return reject('user is deleted or disabled', { tenantId: identity.tenantId, userId: identity.userId });
    }
    const context: ConnectAuthorizerContext = {
      tenantId: identity.tenantId,
      userId: identity.userId,
      role: identity.role,
      tokenExpiresAt: String(identity.expiresAt),
    };
    return {
      principalId: identity.userId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: event.methodArn }],
      },
      context: { ...context },
    };
  } catch (error) {
    if (!isRejection(error)) logger.error('authorizer fault', error instanceof Error ? error : String(error));
    throw error;
  }
}
