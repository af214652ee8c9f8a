import { randomBytes } from 'node:crypto';
import { baseIdentity, buildProxyEvent } from '../rest-api/proxy-event';
import { isTextBody, parseQuery, type RequestFacts } from './payload-v2-event';

/**
 * The Lambda proxy event of payload format 1.0 for an HTTP API, built on the REST API's 1.0 event with
 * what HTTP APIs add: `version: "1.0"` and `requestContext.routeKey`. Known differences from AWS, kept
 * simple on purpose: `resource`/`resourcePath` carry the route's path (`$default` for the default route),
 * `resourceId` and `deploymentId` are generated, `requestContext.path` is the path as called, header names are
 * lowercased (AWS keeps the client's casing), and the authorizer context is passed as given (for a JWT
 * authorizer: `{ claims, scopes }`; for a Lambda authorizer: its context).
 */
export function buildV1Event(
  facts: RequestFacts,
  authorizer?: Record<string, unknown>,
): Record<string, unknown> {
  const { request } = facts;
  const routePath = facts.routeKey === '$default' ? '$default' : (facts.routeKey.split(' ')[1] ?? '/');
  const event = buildProxyEvent({
    request: {
      method: request.method,
      path: decodeURIComponent(request.stagePath),
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, values]) => [name, [...values]]),
      ),
      query: parseQuery(request.rawQueryString),
      body: request.body,
      sourceIp: request.sourceIp,
    },
    resourcePath: routePath,
    resourceId: randomBytes(3).toString('hex'),
    pathParameters: { ...facts.pathParameters },
    stageVariables: { ...facts.stageVariables },
    stage: facts.stage,
    deploymentId: randomBytes(3).toString('hex'),
    apiId: facts.apiId,
    accountId: facts.accountId,
    region: facts.region,
    requestId: facts.requestId,
    extendedRequestId: facts.requestId,
    requestTimeEpoch: facts.timeEpoch,
    ...(authorizer ? { authorizer } : {}),
    identity: baseIdentity(request.sourceIp, request.headers['user-agent']?.at(-1)),
    // HTTP APIs have no binary media types: 1.0 bodies follow the same text test as 2.0 (see isTextBody).
    binaryMediaTypes: isTextBody(request.headers['content-type']?.at(-1), request.body) ? [] : ['*/*'],
  });
  const requestContext = event.requestContext as Record<string, unknown>;
  return {
    version: '1.0',
    ...event,
    requestContext: { ...requestContext, path: request.rawPath, routeKey: facts.routeKey },
  };
}
