import type { RouteDefinition } from '../http-api-definition';
import type { HttpApiResponse } from '../http-api-response';
import type { RequestFacts } from '../payload-v2-event';

/** What a route's authorization sees, once the stage and route are chosen. */
export interface AuthorizationInput {
  readonly facts: RequestFacts;
  readonly route: RouteDefinition;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`: what policies are checked against. */
  readonly routeArn: string;
}

/** Outcome of a route's authorization: `requestContext.authorizer` of the event, or the response to send. */
export type AuthorizationOutcome =
  | { readonly ok: true; readonly authorizer?: Record<string, unknown> }
  | { readonly ok: false; readonly response: HttpApiResponse };

/** One kind of route authorization (`JWT`, `CUSTOM`, `AWS_IAM`); the server picks it by `AuthorizationType`. */
export interface RouteAuthorization {
  authorize(input: AuthorizationInput): Promise<AuthorizationOutcome>;
}
