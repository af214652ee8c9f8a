import type { AuthorizationResult } from '../../model';

/** A refused request, as the REST emulator turns it into a gateway response. */
export type AuthorizationFailure = Extract<AuthorizationResult, { ok: false }>;

/**
 * The gateway responses the authorizers produce, with AWS's default status and message. AWS answers
 * AUTHORIZER_FAILURE and AUTHORIZER_CONFIGURATION_ERROR with `{"message": null}`; the contract carries a
 * string, so those use AWS's generic 500 wording.
 */
export const gatewayResponses = {
  unauthorized: (): AuthorizationFailure => ({
    ok: false,
    statusCode: 401,
    responseType: 'UNAUTHORIZED',
    message: 'Unauthorized',
  }),
  accessDenied: (explicit: boolean): AuthorizationFailure => ({
    ok: false,
    statusCode: 403,
    responseType: 'ACCESS_DENIED',
    message: explicit
      ? 'User is not authorized to access this resource with an explicit deny'
      : 'User is not authorized to access this resource',
  }),
  authorizerFailure: (): AuthorizationFailure => ({
    ok: false,
    statusCode: 500,
    responseType: 'AUTHORIZER_FAILURE',
    message: 'Internal server error',
  }),
  authorizerConfigurationError: (): AuthorizationFailure => ({
    ok: false,
    statusCode: 500,
    responseType: 'AUTHORIZER_CONFIGURATION_ERROR',
    message: 'Internal server error',
  }),
  missingAuthenticationToken: (): AuthorizationFailure => ({
    ok: false,
    statusCode: 403,
    responseType: 'MISSING_AUTHENTICATION_TOKEN',
    message: 'Missing Authentication Token',
  }),
  invalidSignature: (message: string): AuthorizationFailure => ({
    ok: false,
    statusCode: 403,
    responseType: 'INVALID_SIGNATURE',
    message,
  }),
  /**
   * An access key id that no known credential has. AWS reports UnrecognizedClientException; API Gateway
   * has no gateway-response type of that name, so it is customised as INVALID_SIGNATURE.
   */
  unrecognizedClient: (): AuthorizationFailure => ({
    ok: false,
    statusCode: 403,
    responseType: 'INVALID_SIGNATURE',
    message: 'The security token included in the request is invalid.',
  }),
};
