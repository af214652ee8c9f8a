import { CognitoError, invalidParameter } from './cognito-error';
import type { ClientDefinition } from './user-pool-definitions';
import type { UserPoolStore } from './user-pool-store';

/** The JSON input of one Cognito Identity Provider call. */
export type CognitoRequestBody = Record<string, unknown>;

/** A required string member of a call's input; Cognito's validation error when it is missing or empty. */
export function requiredString(body: CognitoRequestBody, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw invalidParameter(
      `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/**
 * The `ClientId` of a call that also names its `UserPoolId`: a client of another pool is answered as Cognito
 * does, as a client that does not exist.
 */
export function clientOfPool(pool: UserPoolStore, client: ClientDefinition): ClientDefinition {
  if (client.userPoolId !== pool.definition.userPoolId) {
    throw new CognitoError(
      'ResourceNotFoundException',
      `User pool client ${client.clientId} does not exist.`,
    );
  }
  return client;
}
