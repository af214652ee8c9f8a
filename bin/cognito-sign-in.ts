import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { type ClientConfig, cognitoEndpoint } from './stack-outputs';

/** Tokens of a signed-in user. */
export interface SignedIn {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** Signs in by SRP with amazon-cognito-identity-js, the client an SPA runs, against a deployed or local pool. */
export function signInWithSrp(
  config: ClientConfig,
  credentials: {
    readonly username: string;
    readonly password: string;
    /** Asked only when Cognito answers NEW_PASSWORD_REQUIRED (an admin's first sign-in). */
    readonly newPassword: () => Promise<string>;
  },
): Promise<SignedIn> {
  const endpoint = cognitoEndpoint(config);
  const pool = new CognitoUserPool({
    UserPoolId: config.userPoolId,
    ClientId: config.spaClientId,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
  const user = new CognitoUser({ Username: credentials.username, Pool: pool });
  const tokens = (session: CognitoUserSession): SignedIn => ({
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
  });
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session: CognitoUserSession) => resolve(tokens(session)),
      onFailure: (error: Error) => reject(error),
      newPasswordRequired: () => {
        credentials
          .newPassword()
          .then((password) => user.completeNewPasswordChallenge(password, {}, callbacks))
          .catch(reject);
      },
    };
    user.authenticateUser(
      new AuthenticationDetails({ Username: credentials.username, Password: credentials.password }),
      callbacks,
    );
  });
}
