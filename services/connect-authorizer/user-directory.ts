import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';

/**
 * Whether the user behind a verified token still exists and is enabled. An ID token stays valid for up to an
 * hour after its user is deleted or disabled, and a WebSocket connection made with it lasts up to two more, so
 * `$connect` asks the pool (by `sub`, which Cognito accepts as the username of e-mail sign-in pools).
 */
export function createUserDirectory(userPoolId: string, cognito: CognitoIdentityProviderClient) {
  return {
    async isActiveUser(sub: string): Promise<boolean> {
      try {
        const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: sub }));
        return user.Enabled !== false;
      } catch (error) {
        if (error instanceof UserNotFoundException) return false;
        throw error;
      }
    },
  };
}

/** The user lookups `$connect` makes. */
export type UserDirectory = ReturnType<typeof createUserDirectory>;
