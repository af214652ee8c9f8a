import { createHash, randomBytes } from 'node:crypto';
import { domainPrefixOf, headerPairs, singleAndMulti } from '../proxy-event';
import type { AuthorizationRequest } from '../rest-authorization';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');

/** `requestContext.requestTime` format: `17/Jun/2024:15:02:03 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

/** A stable 6-character id, like API Gateway's resource and deployment ids. */
function shortId(seed: string): string {
  return createHash('sha256').update(seed).digest('base64url').replace(/[-_]/g, '').slice(0, 6).toLowerCase();
}

function lastValues(values: Record<string, string[]>): Record<string, string> {
  const single: Record<string, string> = {};
  for (const [name, list] of Object.entries(values)) {
    const value = list[list.length - 1];
    if (value !== undefined) single[name] = value;
  }
  return single;
}

/** The TOKEN authorizer event: exactly `type`, `methodArn` and `authorizationToken`. */
export function tokenAuthorizerEvent(request: AuthorizationRequest, token: string) {
  return { type: 'TOKEN', methodArn: request.methodArn, authorizationToken: token };
}

/**
 * The REQUEST authorizer event, shaped like AWS's (`{}` rather than null for empty maps). Header names keep
 * the client's casing, as AWS sends them (an authorizer reading `event.headers.Authorization` must work).
 */
export function requestAuthorizerEvent(
  request: AuthorizationRequest,
  context: { region: string; accountId: string; nowMs: number },
) {
  const { request: incoming } = request;
  const headers = singleAndMulti(headerPairs(incoming));
  const host =
    incoming.headers.host?.[0] ?? `${request.restApiId}.execute-api.${context.region}.amazonaws.com`;
  const userAgent = incoming.headers['user-agent']?.[0] ?? null;
  const ids = request.requestContextIds;
  return {
    type: 'REQUEST',
    methodArn: request.methodArn,
    resource: request.resourcePath,
    path: incoming.path,
    httpMethod: incoming.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: lastValues(incoming.query),
    multiValueQueryStringParameters: { ...incoming.query },
    pathParameters: { ...request.pathParameters },
    stageVariables: { ...request.stageVariables },
    requestContext: {
      resourceId: ids?.resourceId ?? shortId(`${request.restApiId}${request.resourcePath}`),
      resourcePath: request.resourcePath,
      httpMethod: incoming.method,
      extendedRequestId: ids?.extendedRequestId ?? randomBytes(12).toString('base64').slice(0, 16),
      requestTime: formatRequestTime(context.nowMs),
      path: `/${request.stage}${incoming.path}`,
      accountId: context.accountId,
      protocol: 'HTTP/1.1',
      stage: request.stage,
      domainPrefix: domainPrefixOf(host, request.restApiId),
      requestTimeEpoch: context.nowMs,
      requestId: request.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: incoming.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent,
        user: null,
      },
      domainName: host,
      deploymentId: ids?.deploymentId ?? shortId(`${request.restApiId}/${request.stage}`),
      apiId: request.restApiId,
    },
  };
}
