import type { CallToAuthorize } from './call-authority';

/**
 * Operations Cognito serves without IAM: a client id or a user's access token authorizes them (the public,
 * token-authorized API). Every other operation (the Admin* ones, pool and client management) is signed with
 * IAM credentials and evaluated.
 */
const WITHOUT_IAM = new Set([
  'InitiateAuth',
  'RespondToAuthChallenge',
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'GetUser',
  'ChangePassword',
  'DeleteUser',
  'UpdateUserAttributes',
  'DeleteUserAttributes',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
  'GlobalSignOut',
  'RevokeToken',
  'GetTokensFromRefreshToken',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'SetUserMFAPreference',
  'SetUserSettings',
  'ListDevices',
  'ConfirmDevice',
  'ForgetDevice',
  'GetDevice',
  'UpdateDeviceStatus',
  'GetUserAuthFactors',
  'StartWebAuthnRegistration',
  'CompleteWebAuthnRegistration',
  'ListWebAuthnCredentials',
  'DeleteWebAuthnCredential',
]);

/**
 * The IAM call a Cognito Identity Provider request makes: `cognito-idp:<Operation>` on the user pool's ARN
 * (`arn:aws:cognito-idp:<region>:<acct>:userpool/<id>`, or `*` for one naming no pool), or none for the
 * operations that need no IAM credentials.
 */
export function cognitoCall(
  operation: string,
  input: Record<string, unknown>,
  region: string,
  accountId: string,
): CallToAuthorize | undefined {
  if (WITHOUT_IAM.has(operation)) return undefined;
  const pool = typeof input.UserPoolId === 'string' ? input.UserPoolId : undefined;
  return {
    action: `cognito-idp:${operation}`,
    resource: pool === undefined ? '*' : `arn:aws:cognito-idp:${region}:${accountId}:userpool/${pool}`,
  };
}
