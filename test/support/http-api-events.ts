import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { awsEvent } from '../../local/test/support/aws-events';

/** What a test says about an HTTP API request; the rest is AWS's capture of a payload 2.0 event. */
export interface HttpApiRequest {
  /** The route key, e.g. `GET /public/track/{trackingId}`. */
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly requestId?: string;
}

function concretePath(routeKey: string, parameters: Record<string, string>): string {
  const template = routeKey.split(' ')[1] ?? '/';
  return template.replace(/\{([^}+]+)\+?\}/g, (_, name: string) =>
    encodeURIComponent(parameters[name] ?? ''),
  );
}

function withoutAuthorizer(
  context: APIGatewayProxyEventV2['requestContext'],
): APIGatewayProxyEventV2['requestContext'] {
  const { authorizer: _authorizer, ...rest } = context as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: unknown;
  };
  return rest;
}

/**
 * A payload 2.0 event for a route with no authorizer, built from AWS's capture (apigw-http_no-auth.json): keys
 * absent when AWS leaves them out (no `queryStringParameters` without a query, no `pathParameters` without any).
 */
export function httpApiEvent(request: HttpApiRequest): APIGatewayProxyEventV2 {
  const base = awsEvent<APIGatewayProxyEventV2>('apigw-http_no-auth.json');
  const parameters = request.pathParameters ?? {};
  const path = concretePath(request.routeKey, parameters);
  const query = request.query ?? {};
  const { queryStringParameters: _q, pathParameters: _p, body: _b, ...rest } = base;
  return {
    ...rest,
    routeKey: request.routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(parameters).length > 0 ? { pathParameters: parameters } : {}),
    requestContext: {
      // The published no-auth capture repeats the Lambda-authorizer one; a route without an authorizer has none.
      ...withoutAuthorizer(base.requestContext),
      routeKey: request.routeKey,
      requestId: request.requestId ?? `req-${Math.random().toString(36).slice(2)}`,
      http: { ...base.requestContext.http, method: request.routeKey.split(' ')[0] ?? 'GET', path },
    },
    isBase64Encoded: false,
  };
}

/** A payload 2.0 event behind the JWT authorizer with `claims` (strings, as API Gateway passes them). */
export function jwtEvent(
  request: HttpApiRequest,
  claims: Record<string, string>,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const base = httpApiEvent(request);
  return {
    ...base,
    requestContext: {
      ...base.requestContext,
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
    },
  };
}

/** A structured result with its JSON body parsed. */
export function parsed(result: APIGatewayProxyStructuredResultV2): {
  status: number;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
} {
  return {
    status: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, unknown>,
    body: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : {},
  };
}
