import { GATEWAY_RESPONSE_DEFAULTS } from '../gateway-response-rendering';
import type { AuthorizationResult } from '../rest-authorization';

/** A refused request, as the REST emulator turns it into a gateway response. */
export type AuthorizationFailure = Extract<AuthorizationResult, { ok: false }>;

/**
 * A refusal of gateway-response `type`, with AWS's default status and message from the one table of
 * defaults (`GATEWAY_RESPONSE_DEFAULTS`); `message` overrides the default where AWS words it differently.
 */
function refuse(
  type:
    | 'UNAUTHORIZED'
    | 'ACCESS_DENIED'
    | 'AUTHORIZER_FAILURE'
    | 'AUTHORIZER_CONFIGURATION_ERROR'
    | 'MISSING_AUTHENTICATION_TOKEN'
    | 'INVALID_SIGNATURE',
  message?: string,
): AuthorizationFailure {
  const defaults = GATEWAY_RESPONSE_DEFAULTS[type];
  if (!defaults) throw new Error(`no gateway-response default for ${type}`);
  return {
    ok: false,
    statusCode: defaults.statusCode as AuthorizationFailure['statusCode'],
    responseType: type,
    message: message ?? defaults.message,
  };
}

/**
 * The gateway responses the authorizers produce. AWS answers AUTHORIZER_FAILURE and
 * AUTHORIZER_CONFIGURATION_ERROR with `{"message": null}`; the contract carries a string, so those use
 * AWS's generic 500 wording.
 */
export const authorizerRefusals = {
  unauthorized: () => refuse('UNAUTHORIZED'),
  accessDenied: (explicit: boolean) =>
    refuse(
      'ACCESS_DENIED',
      explicit ? 'User is not authorized to access this resource with an explicit deny' : undefined,
    ),
  authorizerFailure: () => refuse('AUTHORIZER_FAILURE'),
  authorizerConfigurationError: () => refuse('AUTHORIZER_CONFIGURATION_ERROR'),
  missingAuthenticationToken: () => refuse('MISSING_AUTHENTICATION_TOKEN'),
  invalidSignature: (message: string) => refuse('INVALID_SIGNATURE', message),
  /**
   * An access key id that no known credential has. AWS reports UnrecognizedClientException; API Gateway
   * has no gateway-response type of that name, so it is customised as INVALID_SIGNATURE.
   */
  unrecognizedClient: () =>
    refuse('INVALID_SIGNATURE', 'The security token included in the request is invalid.'),
};
