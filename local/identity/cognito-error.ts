/**
 * An error of the Cognito Identity Provider API, answered as AWS does: status 400 with
 * `{"__type": "<type>", "message": "..."}` so the real SDK raises the matching exception class.
 */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** A request parameter that Cognito rejects. */
export const invalidParameter = (message: string) => new CognitoError('InvalidParameterException', message);

/** The user does not exist in the pool. */
export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');

/** Wrong credentials, or sign-in refused. */
export const notAuthorized = (message = 'Incorrect username or password.') =>
  new CognitoError('NotAuthorizedException', message);
