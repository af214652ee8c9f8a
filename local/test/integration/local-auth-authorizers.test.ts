import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createIdentityServer, type LocalIdentity } from '../../identity/identity-server';
import {
  LambdaInvocationError,
  type LambdaInvoker,
  type LocalCloudModel,
  type LocalResource,
} from '../../model';
import { createRestAuthorizers } from '../../rest-api/authorizers/rest-authorizers';
import { parseRestAuthorizer } from '../../rest-api/rest-api-definition';
import type { AuthorizationRequest } from '../../rest-api/rest-authorization';
import requestEventFixture from '../fixtures/aws-events/apigw-rest_authorizer-request.json';
import tokenEventFixture from '../fixtures/aws-events/apigw-rest_authorizer-token.json';
import { resourcesIn } from '../support/model-resource';

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const API_ID = 'abc123api';
const POOL_ID = 'us-east-1_AuthPool1';
const CLIENT_ID = 'authclient000000000000001';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:authorizer`;
const AUTHORIZER_URI = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
const ACCESS_KEY = 'AKIALOCALTEST0000001';
const SECRET = 'local/secret/key/for/tests/only/0000000';

const resource = resourcesIn('AuthTest');

const tokenAuthorizer = resource('TokenAuthorizer', 'AWS::ApiGateway::Authorizer', 'tok001', {
  RestApiId: API_ID,
  Type: 'TOKEN',
  IdentitySource: 'method.request.header.Authorization',
  IdentityValidationExpression: 'Bearer [-0-9a-zA-Z._]+',
  AuthorizerUri: AUTHORIZER_URI,
});
const requestAuthorizer = resource('RequestAuthorizer', 'AWS::ApiGateway::Authorizer', 'req001', {
  RestApiId: API_ID,
  Type: 'REQUEST',
  IdentitySource: 'method.request.header.X-Tenant, method.request.querystring.key, stageVariables.tier',
  AuthorizerResultTtlInSeconds: 0,
  AuthorizerUri: AUTHORIZER_URI,
});
const cognitoAuthorizer = resource('CognitoAuthorizer', 'AWS::ApiGateway::Authorizer', 'cog001', {
  RestApiId: API_ID,
  Type: 'COGNITO_USER_POOLS',
  IdentitySource: 'method.request.header.Authorization',
  ProviderARNs: [`arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${POOL_ID}`],
});

const model: LocalCloudModel = {
  region: REGION,
  accountId: ACCOUNT,
  resources: [
    resource('Api', 'AWS::ApiGateway::RestApi', API_ID, {}, { RootResourceId: 'root01' }),
    resource('Stage', 'AWS::ApiGateway::Stage', 'prod', {
      RestApiId: API_ID,
      StageName: 'prod',
      Variables: { tier: 'gold' },
    }),
    resource('Orders', 'AWS::ApiGateway::Resource', 'ord001', {
      RestApiId: API_ID,
      ParentId: 'root01',
      PathPart: 'orders',
    }),
    resource('Admin', 'AWS::ApiGateway::Resource', 'adm001', {
      RestApiId: API_ID,
      ParentId: 'root01',
      PathPart: 'admin',
    }),
    resource('Reports', 'AWS::ApiGateway::Resource', 'rep001', {
      RestApiId: API_ID,
      ParentId: 'root01',
      PathPart: 'reports',
    }),
    resource('AdminGet', 'AWS::ApiGateway::Method', 'm1', {
      RestApiId: API_ID,
      ResourceId: 'adm001',
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['aws.cognito.signin.user.admin'],
    }),
    resource('ReportsGet', 'AWS::ApiGateway::Method', 'm2', {
      RestApiId: API_ID,
      ResourceId: 'rep001',
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['reports/read'],
    }),
    tokenAuthorizer,
    requestAuthorizer,
    cognitoAuthorizer,
    resource('UserPool', 'AWS::Cognito::UserPool', POOL_ID, {
      UsernameAttributes: ['email'],
      Schema: [{ Name: 'tenantId', AttributeDataType: 'String', Mutable: false }],
    }),
    resource('Admins', 'AWS::Cognito::UserPoolGroup', 'admin', { UserPoolId: POOL_ID, GroupName: 'admin' }),
    resource('Members', 'AWS::Cognito::UserPoolGroup', 'member', {
      UserPoolId: POOL_ID,
      GroupName: 'member',
    }),
    resource('Client', 'AWS::Cognito::UserPoolClient', CLIENT_ID, { UserPoolId: POOL_ID }),
  ],
};

/** The AuthorizationScopes of the model's methods, by path. */
const METHOD_SCOPES: Record<string, string[]> = {
  '/admin': ['aws.cognito.signin.user.admin'],
  '/reports': ['reports/read'],
};

function methodArn(method: string, path: string): string {
  return `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/prod/${method}${path}`;
}

function authorizationRequest(
  authorizationType: string,
  authorizer: LocalResource | undefined,
  options: {
    method?: string;
    path?: string;
    resourcePath?: string;
    headers?: Record<string, string[]>;
    query?: Record<string, string[]>;
    body?: string;
    /** The client's header names and values in order (Node's `rawHeaders`). */
    rawHeaders?: string[];
  } = {},
): AuthorizationRequest {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/orders';
  return {
    restApiId: API_ID,
    stage: 'prod',
    authorizationType,
    authorizer: authorizer === undefined ? undefined : parseRestAuthorizer(authorizer),
    methodArn: methodArn(method, path),
    resourcePath: options.resourcePath ?? path,
    pathParameters: {},
    // As the REST API server reads them from its API definition: the stage's variables, the method's scopes.
    stageVariables: { tier: 'gold' },
    authorizationScopes: METHOD_SCOPES[path] ?? [],
    request: {
      method,
      path,
      headers: { host: ['127.0.0.1:3000'], 'user-agent': ['jest'], ...options.headers },
      query: options.query ?? {},
      body: Buffer.from(options.body ?? ''),
      sourceIp: '127.0.0.1',
      ...(options.rawHeaders ? { rawHeaders: options.rawHeaders } : {}),
    },
    requestId: 'req-1',
  };
}

/** A stub of our LambdaInvoker contract: answers with whatever the test sets, and records every event. */
class StubInvoker implements LambdaInvoker {
  readonly events: unknown[] = [];
  respond: (event: Record<string, unknown>) => unknown = () => undefined;

  async invoke(functionArn: string, event: unknown): Promise<unknown> {
    expect(functionArn).toBe(FUNCTION_ARN);
    this.events.push(event);
    return this.respond(event as Record<string, unknown>);
  }
}

const policy = (effect: string, resources: string | string[], context?: Record<string, unknown>) => ({
  principalId: 'user-7',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resources }],
  },
  ...(context === undefined ? {} : { context }),
});

let identity: LocalIdentity;
let clock: number;

beforeAll(async () => {
  identity = await createIdentityServer();
  identity.registerModel(model);
});

afterAll(async () => {
  await identity.close();
});

function authorizers(invoker: LambdaInvoker = new StubInvoker()) {
  clock = Date.now();
  return createRestAuthorizers({
    invoker,
    identity,
    credentials: { [ACCESS_KEY]: SECRET },
    region: REGION,
    accountId: ACCOUNT,
    now: () => clock,
  });
}

describe('TOKEN Lambda authorizer', () => {
  it('invokes the function with the exact TOKEN event shape and passes context and principalId on', async () => {
    const invoker = new StubInvoker();
    invoker.respond = (event) => ({
      ...policy('Allow', String(event.methodArn), { tenantId: 'tnt_1', seats: 3, admin: true }),
      usageIdentifierKey: 'k-1',
    });
    const result = await authorizers(invoker).authorize(
      authorizationRequest('CUSTOM', tokenAuthorizer, { headers: { authorization: ['Bearer abc.def'] } }),
    );
    expect(Object.keys(invoker.events[0] as object).sort()).toEqual(Object.keys(tokenEventFixture).sort());
    expect(invoker.events[0]).toEqual({
      type: 'TOKEN',
      methodArn: methodArn('GET', '/orders'),
      authorizationToken: 'Bearer abc.def',
    });
    expect(result).toEqual({
      ok: true,
      authorizer: {
        tenantId: 'tnt_1',
        seats: '3',
        admin: 'true',
        principalId: 'user-7',
        integrationLatency: 0,
      },
      usageIdentifierKey: 'k-1',
      // A result cache is configured and this was its first look-up; the policy grants no cache invalidation.
      authorizerCache: 'miss',
      mayInvalidateCache: false,
    });
  });

  it('answers 401 without invoking when the token is missing or fails the validation expression', async () => {
    const invoker = new StubInvoker();
    const layer = authorizers(invoker);
    const candidates: Record<string, string[]>[] = [
      {},
      { authorization: ['Basic dXNlcg=='] },
      { authorization: [''] },
    ];
    for (const headers of candidates) {
      const result = await layer.authorize(authorizationRequest('CUSTOM', tokenAuthorizer, { headers }));
      expect(result).toMatchObject({
        ok: false,
        statusCode: 401,
        responseType: 'UNAUTHORIZED',
        message: 'Unauthorized',
      });
    }
    expect(invoker.events).toHaveLength(0);
  });

  it('caches the policy per token and re-evaluates it against each new method', async () => {
    const invoker = new StubInvoker();
    invoker.respond = () => policy('Allow', methodArn('GET', '/orders'));
    const layer = authorizers(invoker);
    const headers = { authorization: ['Bearer cached.token'] };
    expect(await layer.authorize(authorizationRequest('CUSTOM', tokenAuthorizer, { headers }))).toMatchObject(
      { ok: true },
    );
    const other = await layer.authorize(
      authorizationRequest('CUSTOM', tokenAuthorizer, { headers, method: 'DELETE', path: '/orders' }),
    );
    expect(other).toMatchObject({ ok: false, statusCode: 403, responseType: 'ACCESS_DENIED' });
    expect(await layer.authorize(authorizationRequest('CUSTOM', tokenAuthorizer, { headers }))).toMatchObject(
      { ok: true },
    );
    expect(invoker.events).toHaveLength(1);

    await layer.authorize(
      authorizationRequest('CUSTOM', tokenAuthorizer, { headers: { authorization: ['Bearer other.token'] } }),
    );
    expect(invoker.events).toHaveLength(2);
  });

  it('invokes again once the cached result outlives the TTL', async () => {
    const invoker = new StubInvoker();
    invoker.respond = () => policy('Allow', '*');
    const layer = authorizers(invoker);
    const request = authorizationRequest('CUSTOM', tokenAuthorizer, {
      headers: { authorization: ['Bearer ttl.token'] },
    });
    await layer.authorize(request);
    clock += 299_000;
    await layer.authorize(request);
    expect(invoker.events).toHaveLength(1);
    clock += 2_000;
    await layer.authorize(request);
    expect(invoker.events).toHaveLength(2);
  });

  it('answers 403 with the explicit-deny message when a Deny matches', async () => {
    const invoker = new StubInvoker();
    invoker.respond = () => ({
      principalId: 'user-7',
      policyDocument: {
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'execute-api:*',
            Resource: `arn:aws:execute-api:*:*:${API_ID}/*/GET/orders`,
          },
        ],
      },
    });
    const result = await authorizers(invoker).authorize(
      authorizationRequest('CUSTOM', tokenAuthorizer, { headers: { authorization: ['Bearer deny.me'] } }),
    );
    expect(result).toEqual({
      ok: false,
      statusCode: 403,
      responseType: 'ACCESS_DENIED',
      message: 'User is not authorized to access this resource with an explicit deny',
    });
  });

  it('maps an Unauthorized error to 401, any other error to 500 and a malformed result to a configuration error', async () => {
    const invoker = new StubInvoker();
    const layer = authorizers(invoker);
    const request = (token: string) =>
      authorizationRequest('CUSTOM', tokenAuthorizer, { headers: { authorization: [`Bearer ${token}`] } });
    invoker.respond = () => {
      throw new LambdaInvocationError('Unauthorized', 'Unhandled');
    };
    expect(await layer.authorize(request('a'))).toMatchObject({
      statusCode: 401,
      responseType: 'UNAUTHORIZED',
    });
    invoker.respond = () => {
      throw new LambdaInvocationError('Task timed out after 3.00 seconds', 'TimedOut');
    };
    expect(await layer.authorize(request('b'))).toMatchObject({
      statusCode: 500,
      responseType: 'AUTHORIZER_FAILURE',
    });
    invoker.respond = () => ({
      principalId: 'x',
      context: { nested: { no: true } },
      policyDocument: policy('Allow', '*').policyDocument,
    });
    expect(await layer.authorize(request('c'))).toMatchObject({
      statusCode: 500,
      responseType: 'AUTHORIZER_CONFIGURATION_ERROR',
    });
  });
});

describe('REQUEST Lambda authorizer', () => {
  it('sends an event with the keys and types of the AWS capture, including stage variables', async () => {
    const invoker = new StubInvoker();
    invoker.respond = () => policy('Allow', '*');
    const result = await authorizers(invoker).authorize(
      authorizationRequest('CUSTOM', requestAuthorizer, {
        method: 'POST',
        path: '/orders',
        headers: { 'x-tenant': ['tnt_1'] },
        query: { key: ['a', 'b'] },
      }),
    );
    expect(result).toMatchObject({ ok: true, authorizer: { principalId: 'user-7' } });
    const event = invoker.events[0] as Record<string, unknown>;
    expect(Object.keys(event).sort()).toEqual(Object.keys(requestEventFixture).sort());
    const context = event.requestContext as Record<string, unknown>;
    expect(Object.keys(context).sort()).toEqual(Object.keys(requestEventFixture.requestContext).sort());
    expect(Object.keys(context.identity as object).sort()).toEqual(
      Object.keys(requestEventFixture.requestContext.identity).sort(),
    );
    for (const [key, value] of Object.entries(requestEventFixture.requestContext)) {
      expect([key, typeof context[key]]).toEqual([key, typeof value]);
    }
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: methodArn('POST', '/orders'),
      resource: '/orders',
      path: '/orders',
      httpMethod: 'POST',
      queryStringParameters: { key: 'b' },
      multiValueQueryStringParameters: { key: ['a', 'b'] },
      pathParameters: {},
      stageVariables: { tier: 'gold' },
    });
    expect(context).toMatchObject({ path: '/prod/orders', stage: 'prod', accountId: ACCOUNT, apiId: API_ID });
    expect(context.requestTime).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it("keeps the client's header casing in headers and multiValueHeaders, as the AWS capture does", async () => {
    const invoker = new StubInvoker();
    invoker.respond = (event) =>
      // An authorizer written against AWS reads the header as the client sent it.
      policy(
        (event.headers as Record<string, string>).Authorization === 'Bearer foo' ? 'Allow' : 'Deny',
        '*',
      );
    const result = await authorizers(invoker).authorize(
      authorizationRequest('CUSTOM', requestAuthorizer, {
        headers: { authorization: ['Bearer foo'], 'x-tenant': ['tnt_1'], 'user-agent': ['HTTPie/3.2.2'] },
        query: { key: ['k'] },
        rawHeaders: ['Authorization', 'Bearer foo', 'X-Tenant', 'tnt_1', 'User-Agent', 'HTTPie/3.2.2'],
      }),
    );

    expect(result).toMatchObject({ ok: true });
    const event = invoker.events[0] as { headers: object; multiValueHeaders: object };
    expect(event.headers).toEqual({
      Authorization: 'Bearer foo',
      'X-Tenant': 'tnt_1',
      'User-Agent': 'HTTPie/3.2.2',
    });
    expect(event.multiValueHeaders).toEqual({
      Authorization: ['Bearer foo'],
      'X-Tenant': ['tnt_1'],
      'User-Agent': ['HTTPie/3.2.2'],
    });
    // The names are spelled as in the capture, which came from a real client.
    for (const name of ['Authorization', 'User-Agent'])
      expect(requestEventFixture.headers).toHaveProperty(name);
  });

  it('answers 401 without invoking when one identity source is missing', async () => {
    const invoker = new StubInvoker();
    const result = await authorizers(invoker).authorize(
      authorizationRequest('CUSTOM', requestAuthorizer, { headers: { 'x-tenant': ['tnt_1'] } }),
    );
    expect(result).toMatchObject({ ok: false, statusCode: 401 });
    expect(invoker.events).toHaveLength(0);
  });

  it('invokes on every request when the TTL is 0', async () => {
    const invoker = new StubInvoker();
    invoker.respond = () => policy('Allow', '*');
    const layer = authorizers(invoker);
    const request = authorizationRequest('CUSTOM', requestAuthorizer, {
      headers: { 'x-tenant': ['tnt_1'] },
      query: { key: ['k'] },
    });
    await layer.authorize(request);
    await layer.authorize(request);
    expect(invoker.events).toHaveLength(2);
  });
});

describe('Cognito user pools authorizer', () => {
  beforeAll(() => {
    const pool = identity.pool(POOL_ID);
    pool.createUser({
      username: 'ada@example.com',
      attributes: [{ Name: 'custom:tenantId', Value: 'tnt_0123456789abc' }],
    });
    pool.addToGroup('ada@example.com', 'admin');
    pool.addToGroup('ada@example.com', 'member');
  });

  const tokens = () =>
    identity.mintTokens({ userPoolId: POOL_ID, clientId: CLIENT_ID, username: 'ada@example.com' });

  it('accepts an ID token with or without the Bearer prefix and passes every claim on as a string', async () => {
    const { idToken } = tokens();
    const layer = authorizers();
    for (const header of [idToken, `Bearer ${idToken}`]) {
      const result = await layer.authorize(
        authorizationRequest('COGNITO_USER_POOLS', cognitoAuthorizer, {
          headers: { authorization: [header] },
        }),
      );
      expect(result.ok).toBe(true);
      const claims = (result.ok ? result.authorizer?.claims : undefined) as Record<string, string>;
      expect(claims).toMatchObject({
        'cognito:groups': 'admin,member',
        'custom:tenantId': 'tnt_0123456789abc',
        email: 'ada@example.com',
        token_use: 'id',
        aud: CLIENT_ID,
        iss: identity.issuerUrl(POOL_ID),
      });
      expect(claims.exp).toMatch(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
      expect(claims.auth_time).toMatch(/^\d+$/);
      for (const value of Object.values(claims)) expect(typeof value).toBe('string');
    }
  });

  it('takes the Bearer scheme in any case (RFC 7235)', async () => {
    const { idToken } = tokens();
    for (const scheme of ['bearer', 'BEARER']) {
      const result = await authorizers().authorize(
        authorizationRequest('COGNITO_USER_POOLS', cognitoAuthorizer, {
          headers: { authorization: [`${scheme} ${idToken}`] },
        }),
      );
      expect(result.ok).toBe(true);
    }
  });

  it('answers 401 for a missing, garbled, tampered, foreign or expired token', async () => {
    const { idToken } = tokens();
    const [header, payload, signature] = idToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(
      JSON.stringify({ ...claims, 'custom:tenantId': 'tnt_someoneelse00' }),
    ).toString('base64url');
    const otherPool = await createIdentityServer();
    otherPool.registerModel({
      ...model,
      resources: model.resources.filter((r) => r.type.startsWith('AWS::Cognito')),
    });
    otherPool.pool(POOL_ID).createUser({ username: 'ada@example.com', attributes: [] });
    const foreign = otherPool.mintTokens({
      userPoolId: POOL_ID,
      clientId: CLIENT_ID,
      username: 'ada@example.com',
    });
    await otherPool.close();

    const layer = authorizers();
    const candidates = [undefined, 'not-a-jwt', `${header}.${forged}.${signature}`, foreign.idToken];
    for (const token of candidates) {
      const headers: Record<string, string[]> = token === undefined ? {} : { authorization: [token] };
      expect(
        await layer.authorize(authorizationRequest('COGNITO_USER_POOLS', cognitoAuthorizer, { headers })),
      ).toEqual({
        ok: false,
        statusCode: 401,
        responseType: 'UNAUTHORIZED',
        message: 'Unauthorized',
      });
    }
    clock += 3601_000;
    const expired = await layer.authorize(
      authorizationRequest('COGNITO_USER_POOLS', cognitoAuthorizer, {
        headers: { authorization: [idToken] },
      }),
    );
    expect(expired).toMatchObject({ ok: false, statusCode: 401 });
  });

  it('takes only ID tokens on a method without scopes', async () => {
    const result = await authorizers().authorize(
      authorizationRequest('COGNITO_USER_POOLS', cognitoAuthorizer, {
        headers: { authorization: [tokens().accessToken] },
      }),
    );
    expect(result).toMatchObject({ ok: false, statusCode: 401 });
  });

  it('requires an access token carrying one of the method scopes when the method has AuthorizationScopes', async () => {
    const { idToken, accessToken } = tokens();
    const layer = authorizers();
    const admin = (token: string) =>
      authorizationRequest('COGNITO_USER_POOLS', cognitoAuthorizer, {
        path: '/admin',
        headers: { authorization: [token] },
      });
    const accepted = await layer.authorize(admin(accessToken));
    expect(accepted).toMatchObject({
      ok: true,
      authorizer: { claims: { token_use: 'access', scope: 'aws.cognito.signin.user.admin' } },
    });
    expect(await layer.authorize(admin(idToken))).toMatchObject({ ok: false, statusCode: 401 });
    const reports = await layer.authorize(
      authorizationRequest('COGNITO_USER_POOLS', cognitoAuthorizer, {
        path: '/reports',
        headers: { authorization: [accessToken] },
      }),
    );
    expect(reports).toMatchObject({ ok: false, statusCode: 401 });
  });
});

describe('AWS_IAM (SigV4) authorizer', () => {
  async function signedRequest(
    options: {
      secret?: string;
      accessKey?: string;
      date?: Date;
      body?: string;
      bodyHashHeader?: boolean;
    } = {},
  ) {
    const signer = new SignatureV4({
      applyChecksum: options.bodyHashHeader ?? true,
      service: 'execute-api',
      region: REGION,
      sha256: Sha256,
      credentials: {
        accessKeyId: options.accessKey ?? ACCESS_KEY,
        secretAccessKey: options.secret ?? SECRET,
      },
    });
    const body = options.body ?? '{"name":"acme"}';
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 3000,
        path: '/prod/tenants',
        query: { dryRun: 'true' },
        headers: { host: '127.0.0.1:3000', 'content-type': 'application/json' },
        body,
      },
      { signingDate: options.date ?? new Date(clock) },
    );
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = [String(value)];
    return { headers, body };
  }

  const iamRequest = (
    signed: { headers: Record<string, string[]>; body: string },
    overrides: { path?: string; body?: string } = {},
  ) =>
    authorizationRequest('AWS_IAM', undefined, {
      method: 'POST',
      path: overrides.path ?? '/tenants',
      headers: signed.headers,
      query: { dryRun: ['true'] },
      body: overrides.body ?? signed.body,
    });

  it('accepts a request signed for the stage path and reports the caller identity', async () => {
    const layer = authorizers();
    const result = await layer.authorize(iamRequest(await signedRequest()));
    expect(result).toEqual({
      ok: true,
      identity: {
        accessKey: ACCESS_KEY,
        caller: ACCESS_KEY,
        user: ACCESS_KEY,
        userArn: `arn:aws:iam::${ACCOUNT}:user/local`,
        accountId: ACCOUNT,
      },
      // No IAM policies locally: a valid signature may invalidate the stage cache too.
      mayInvalidateCache: true,
    });
  });

  it('rejects a tampered body or path and a wrong secret with INVALID_SIGNATURE', async () => {
    const layer = authorizers();
    const signed = await signedRequest();
    for (const request of [
      iamRequest(signed, { body: '{"name":"evil"}' }),
      iamRequest(signed, { path: '/tenants/other' }),
      iamRequest(await signedRequest({ secret: 'not-the-secret' })),
    ]) {
      expect(await layer.authorize(request)).toMatchObject({
        ok: false,
        statusCode: 403,
        responseType: 'INVALID_SIGNATURE',
      });
    }
  });

  it('checks the body itself when the client signs without an x-amz-content-sha256 header', async () => {
    const layer = authorizers();
    const signed = await signedRequest({ bodyHashHeader: false });
    expect(signed.headers['x-amz-content-sha256']).toBeUndefined();
    expect(await layer.authorize(iamRequest(signed))).toMatchObject({ ok: true });
    expect(await layer.authorize(iamRequest(signed, { body: '{"name":"evil"}' }))).toMatchObject({
      ok: false,
      responseType: 'INVALID_SIGNATURE',
    });
  });

  it('refuses a bearer token sent to an IAM route without echoing it: the message quotes its SHA-256', async () => {
    const token = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2ln';
    const result = await authorizers().authorize(
      authorizationRequest('AWS_IAM', undefined, {
        method: 'POST',
        path: '/tenants',
        headers: { authorization: [token] },
      }),
    );
    const digest = createHash('sha256').update(token).digest('base64');
    expect(result).toMatchObject({ ok: false, statusCode: 403, responseType: 'INVALID_SIGNATURE' });
    const message = result.ok ? '' : (result.message ?? '');
    expect(message).not.toContain('eyJ');
    expect(message).toContain(`(hashed with SHA-256 and encoded with Base64): '${digest}'`);
  });

  it('reads the last of repeated Authorization headers, as the token authorizers do', async () => {
    const layer = authorizers();
    const signed = await signedRequest();
    const valid = signed.headers.authorization?.[0] ?? '';
    const withHeaders = (values: string[]) => ({
      ...signed,
      headers: { ...signed.headers, authorization: values },
    });
    expect(await layer.authorize(iamRequest(withHeaders(['Bearer first', valid])))).toMatchObject({
      ok: true,
    });
    expect(await layer.authorize(iamRequest(withHeaders([valid, 'Bearer last'])))).toMatchObject({
      ok: false,
      responseType: 'INVALID_SIGNATURE',
    });
  });

  it('answers MISSING_AUTHENTICATION_TOKEN without an Authorization header', async () => {
    const result = await authorizers().authorize(
      authorizationRequest('AWS_IAM', undefined, { method: 'POST', path: '/tenants' }),
    );
    expect(result).toEqual({
      ok: false,
      statusCode: 403,
      responseType: 'MISSING_AUTHENTICATION_TOKEN',
      message: 'Missing Authentication Token',
    });
  });

  it('rejects an unknown access key and a signature more than five minutes old', async () => {
    const layer = authorizers();
    expect(
      await layer.authorize(iamRequest(await signedRequest({ accessKey: 'AKIAUNKNOWN000000000' }))),
    ).toMatchObject({
      ok: false,
      statusCode: 403,
      message: 'The security token included in the request is invalid.',
    });
    const stale = await signedRequest({ date: new Date(clock - 6 * 60 * 1000) });
    expect(await layer.authorize(iamRequest(stale))).toMatchObject({
      ok: false,
      statusCode: 403,
      message: expect.stringMatching(/^Signature expired/),
    });
  });
});
