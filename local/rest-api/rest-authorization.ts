import type { RestIncomingRequest } from './proxy-event';
import type { RestAuthorizerDefinition } from './rest-api-definition';

/*
 * The contract between the REST API emulator and its authorizer layer (REST-only, so it lives here rather
 * than in local/model.ts).
 */

/** What a REST API method asks of the authorizer layer, once routing has matched it. */
export interface AuthorizationRequest {
  readonly restApiId: string;
  readonly stage: string;
  /** `NONE` | `AWS_IAM` | `COGNITO_USER_POOLS` | `CUSTOM`, from the AWS::ApiGateway::Method. */
  readonly authorizationType: string;
  /** The AWS::ApiGateway::Authorizer resource when authorizationType is COGNITO_USER_POOLS or CUSTOM. */
  readonly authorizer?: RestAuthorizerDefinition;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path without leading slash}`. */
  readonly methodArn: string;
  /** The method's resource path template, e.g. `/orders/{orderId}`. */
  readonly resourcePath: string;
  readonly pathParameters: Record<string, string>;
  /** The stage's variables, from the API definition read once at start (`stageVariables.X` sources). */
  readonly stageVariables: Readonly<Record<string, string>>;
  /** The method's `AuthorizationScopes` (COGNITO_USER_POOLS then wants an access token with one of them). */
  readonly authorizationScopes: readonly string[];
  readonly request: RestIncomingRequest;
  readonly requestId: string;
  /**
   * The ids the proxy event of the same request carries (its resource, the stage's deployment, the extended
   * request id), so a REQUEST authorizer sees the same values, as on AWS. Made up when absent.
   */
  readonly requestContextIds?: { resourceId: string; deploymentId: string; extendedRequestId: string };
}

/** Outcome of authorization: what goes into `requestContext`, or the gateway response to send instead. */
export type AuthorizationResult =
  | {
      readonly ok: true;
      /** `requestContext.authorizer` of the proxy event (claims for Cognito; context + principalId for Lambda). */
      readonly authorizer?: Record<string, unknown>;
      /** Extra `requestContext.identity` fields (e.g. caller, user, userArn, accessKey for AWS_IAM). */
      readonly identity?: Record<string, string | null>;
      /** API key chosen by a Lambda authorizer (API key source AUTHORIZER). */
      readonly usageIdentifierKey?: string;
      /** Whether a Lambda authorizer's result cache answered (`undefined`: no result cache involved). */
      readonly authorizerCache?: 'hit' | 'miss';
      /** The caller may `execute-api:InvalidateCache` (a `Cache-Control: max-age=0` refetches). */
      readonly mayInvalidateCache?: boolean;
    }
  | {
      readonly ok: false;
      readonly statusCode: 401 | 403 | 500;
      /** The API Gateway gateway-response type, e.g. `UNAUTHORIZED`, `ACCESS_DENIED`, `AUTHORIZER_FAILURE`,
       * `MISSING_AUTHENTICATION_TOKEN`, `INVALID_SIGNATURE`, `EXPIRED_TOKEN`, `AUTHORIZER_CONFIGURATION_ERROR`. */
      readonly responseType: string;
      readonly message: string;
    };

/** The authorizer layer the REST API emulator calls for every method that is not `NONE`. */
export interface RestAuthorizers {
  authorize(request: AuthorizationRequest): Promise<AuthorizationResult>;
}
