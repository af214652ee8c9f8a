import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * Builders for REST API (v1) proxy events shaped like AWS's captures in
 * test/fixtures/aws-events (apigw-rest_lambda-authorizer-auth.json, apigw-rest_jwt-authorizer-auth.json),
 * and for the Lambda `Context`, so handler tests exercise what API Gateway and Lambda really hand over.
 */

/** What a test says about a request; everything else is filled in the way API Gateway does. */
export interface RestRequest {
  /** HTTP method, e.g. `POST`. */
  readonly method: string;
  /** The resource template as API Gateway names it, e.g. `/orders/{orderId}`. */
  readonly resource: string;
  /** Values for the resource's `{placeholders}`; the concrete `path` is derived from them. */
  readonly pathParameters?: Record<string, string>;
  /** Query-string parameters (single-valued). */
  readonly query?: Record<string, string>;
  /** Request headers, client casing kept. */
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else is JSON-encoded. Omitted → `null`, as API Gateway sends it. */
  readonly body?: unknown;
  /** Defaults to a fresh UUID per event. */
  readonly requestId?: string;
  /** Defaults to `prod`. */
  readonly stage?: string;
}

/** The context the REST API's Lambda authorizer returns (API Gateway delivers every value as a string). */
export interface LambdaAuthorizerContext {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: string;
  readonly tier: string;
  /** Defaults to `userId`, as the authorizer sets it. */
  readonly principalId?: string;
}

/** Claims of a Cognito user-pool token as the REST API's COGNITO_USER_POOLS authorizer passes them. */
export interface CognitoClaimsInput {
  readonly sub: string;
  readonly tenantId: string;
  readonly role: string;
  /** Joined with commas, as the REST Cognito authorizer flattens `cognito:groups`. */
  readonly groups?: readonly string[];
  readonly email?: string;
  /** Extra claims; non-string values are stringified, as API Gateway does. */
  readonly extra?: Record<string, unknown>;
}

const API_ID = 'a1b2c3d4e5';
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';

function concretePath(resource: string, pathParameters: Record<string, string> | undefined): string {
  return resource.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
    const value = pathParameters?.[name];
    if (value === undefined) throw new Error(`no value for path parameter '${name}' of ${resource}`);
    return encodeURIComponent(value);
  });
}

function multiValue(values: Record<string, string> | undefined): Record<string, string[]> | null {
  if (!values || Object.keys(values).length === 0) return null;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [v]]));
}

/**
 * A REST proxy event for `request` with the given `requestContext.authorizer` (omit it for a method with no
 * authorizer). Empty query/path parameter maps are `null`, as in the captures.
 */
export function restEvent(request: RestRequest, authorizer?: Record<string, unknown>): APIGatewayProxyEvent {
  const path = concretePath(request.resource, request.pathParameters);
  const stage = request.stage ?? 'prod';
  const host = `${API_ID}.execute-api.${REGION}.amazonaws.com`;
  const headers: Record<string, string> = {
    Accept: '*/*',
    Host: host,
    'User-Agent': 'saas-orders-tests',
    'X-Forwarded-For': '198.51.100.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...request.headers,
  };
  const hasQuery = request.query !== undefined && Object.keys(request.query).length > 0;
  const hasPath = request.pathParameters !== undefined && Object.keys(request.pathParameters).length > 0;
  const body =
    request.body === undefined
      ? null
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body);
  const now = Date.now();
  return {
    resource: request.resource,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: multiValue(headers) ?? {},
    queryStringParameters: hasQuery ? { ...request.query } : null,
    multiValueQueryStringParameters: multiValue(request.query),
    pathParameters: hasPath ? { ...request.pathParameters } : null,
    stageVariables: null,
    requestContext: {
      resourceId: 'abc123',
      authorizer,
      resourcePath: request.resource,
      httpMethod: request.method,
      extendedRequestId: `${randomUUID().slice(0, 14)}=`,
      requestTime: new Date(now).toUTCString(),
      path: `/${stage}${path}`,
      accountId: ACCOUNT_ID,
      protocol: 'HTTP/1.1',
      stage,
      domainPrefix: API_ID,
      requestTimeEpoch: now,
      requestId: request.requestId ?? randomUUID(),
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '198.51.100.7',
        user: null,
        userAgent: 'saas-orders-tests',
        userArn: null,
      },
      domainName: host,
      apiId: API_ID,
    },
    body,
    isBase64Encoded: false,
  };
}

/** A REST proxy event behind the Lambda authorizer: its context plus `principalId` and `integrationLatency`. */
export function lambdaAuthorizerEvent(
  request: RestRequest,
  context: LambdaAuthorizerContext,
): APIGatewayProxyEvent {
  return restEvent(request, {
    principalId: context.principalId ?? context.userId,
    integrationLatency: 12,
    tenantId: context.tenantId,
    userId: context.userId,
    role: context.role,
    tier: context.tier,
  });
}

/** A REST proxy event behind a Cognito user-pool authorizer: `authorizer.claims`, every value a string. */
export function cognitoEvent(request: RestRequest, input: CognitoClaimsInput): APIGatewayProxyEvent {
  const issuedAt = new Date();
  const expires = new Date(issuedAt.getTime() + 3600_000);
  // API Gateway renders the time claims in this Java Date.toString style, not as epoch seconds.
  const javaDate = (d: Date) =>
    d.toUTCString().replace(/^(\w{3}), (\d{2}) (\w{3}) (\d{4}) ([\d:]{8}) GMT$/, '$1 $3 $2 $5 UTC $4');
  const claims: Record<string, string> = {
    sub: input.sub,
    aud: 'testclient0123456789abcdef',
    event_id: randomUUID(),
    token_use: 'id',
    auth_time: String(Math.floor(issuedAt.getTime() / 1000)),
    iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_TestPool1`,
    'cognito:username': input.sub,
    exp: javaDate(expires),
    iat: javaDate(issuedAt),
    jti: randomUUID(),
    'custom:tenantId': input.tenantId,
    'custom:role': input.role,
  };
  if (input.groups && input.groups.length > 0) claims['cognito:groups'] = input.groups.join(',');
  if (input.email) claims.email = input.email;
  for (const [name, value] of Object.entries(input.extra ?? {})) {
    claims[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return restEvent(request, { claims });
}

/** Options for `lambdaContext`. */
export interface LambdaContextOptions {
  readonly functionName?: string;
  readonly awsRequestId?: string;
  /** The function timeout; `getRemainingTimeInMillis` counts down from it. Defaults to 30 s. */
  readonly timeoutMs?: number;
}

/** A Lambda `Context` whose remaining time counts down from the configured timeout, like the runtime's. */
export function lambdaContext(options: LambdaContextOptions = {}): Context {
  const functionName = options.functionName ?? 'saas-orders-test-function';
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const unsupported = () => {
    throw new Error('legacy context callbacks are not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
