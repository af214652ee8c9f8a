import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpIamAuthorizer,
  HttpJwtAuthorizer,
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createHttpApiServer, type HttpApiServer } from '../../http-api/http-api-server';
import { createLambdaRuntime, type LambdaRuntime, localFunctionFromResource } from '../../lambda';
import type { LambdaInvoker } from '../../model';
import { loadCloudAssembly } from '../../template/cloud-assembly';
import { type JwtIssuer, startJwtIssuer } from '../support/jwt-issuer';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const APP_ORIGIN = 'https://app.example.com';
const CREDENTIALS = { accessKeyId: 'AKIAHTTPAPITEST00001', secretAccessKey: 'http-api-test-secret' };

let workDir: string;
let issuer: JwtIssuer;
let runtime: LambdaRuntime;
let server: HttpApiServer;
let base: string;
/** The same API with a short integration timeout, for the timeout test only. */
let hurried: HttpApiServer;
let hurriedBase: string;
const events: Array<{ functionArn: string; event: Record<string, unknown> }> = [];
const logLines: string[] = [];

/** Echoes the event back (with a CORS header of its own and two cookies): what most tests read. */
const ECHO = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'access-control-allow-origin': 'https://evil.example', 'x-echo': 'yes' },
  cookies: ['session=abc; HttpOnly', 'theme=dark'],
  body: JSON.stringify(event),
});`;
/** The same in the payload 1.0 result format (no cookies there). */
const ECHO_V1 = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(event),
});`;
/** Returns a bare object (no statusCode): API Gateway makes it a 200 JSON body. */
const BARE =
  'exports.handler = async (event) => ({ routeKey: event.routeKey, proxy: event.pathParameters && event.pathParameters.proxy });';
/** A simple-response authorizer that counts its invocations, so the result cache can be observed. */
const AUTHORIZER = `let calls = 0;
exports.handler = async (event) => {
  calls += 1;
  return { isAuthorized: event.identitySource[0] === 'let-me-in', context: { tenant: 't-1', calls } };
};`;
const CRASH = "exports.handler = async () => { throw new Error('boom'); };";
const SLOW =
  'exports.handler = () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 8000));';

/** The app under test: the ways public CDK apps commonly use `HttpApi`, synthesized as `npm start` reads it. */
function synthesize(outdir: string): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'HttpApp', { env: { account: ACCOUNT, region: REGION } });
  const fn = (id: string, code: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      functionName: id,
      timeout: Duration.seconds(10),
    });
  const echo = new HttpLambdaIntegration('Echo', fn('echo', ECHO));
  const bare = new HttpLambdaIntegration('Bare', fn('bare', BARE));
  const api = new apigwv2.HttpApi(stack, 'Api', {
    createDefaultStage: false,
    corsPreflight: {
      allowOrigins: [APP_ORIGIN],
      allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: ['x-echo'],
      maxAge: Duration.minutes(10),
      allowCredentials: true,
    },
  });
  const defaultStage = new apigwv2.HttpStage(stack, 'DefaultStage', {
    httpApi: api,
    autoDeploy: true,
    throttle: { rateLimit: 1000, burstLimit: 500 },
  });
  // RouteSettings is untyped JSON in CloudFormation: the override is written as the template spells it.
  (defaultStage.node.defaultChild as apigwv2.CfnStage).addPropertyOverride('RouteSettings', {
    'GET /limited': { ThrottlingRateLimit: 0.001, ThrottlingBurstLimit: 1 },
  });
  api.addStage('Beta', { stageName: 'beta', autoDeploy: true });

  api.addRoutes({ path: '/items/{id}', methods: [apigwv2.HttpMethod.GET], integration: echo });
  api.addRoutes({ path: '/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration: bare });
  api.addRoutes({ path: '/limited', methods: [apigwv2.HttpMethod.GET], integration: bare });
  api.addRoutes({
    path: '/v1',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('EchoV1', fn('echoV1', ECHO_V1), {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0,
    }),
  });
  const jwt = new HttpJwtAuthorizer('Jwt', issuer.issuer, { jwtAudience: [issuer.clientId] });
  api.addRoutes({ path: '/me', methods: [apigwv2.HttpMethod.GET], integration: echo, authorizer: jwt });
  api.addRoutes({
    path: '/admin',
    methods: [apigwv2.HttpMethod.GET],
    integration: echo,
    authorizer: jwt,
    authorizationScopes: ['orders/admin'],
  });
  api.addRoutes({
    path: '/tenant',
    methods: [apigwv2.HttpMethod.GET],
    integration: echo,
    authorizer: new HttpLambdaAuthorizer('Simple', fn('authorizer', AUTHORIZER), {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
    }),
  });
  api.addRoutes({
    path: '/operator',
    methods: [apigwv2.HttpMethod.POST],
    integration: echo,
    authorizer: new HttpIamAuthorizer(),
  });
  api.addRoutes({
    path: '/crash',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('Crash', fn('crash', CRASH)),
  });
  api.addRoutes({
    path: '/slow',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('Slow', fn('slow', SLOW)),
  });
  app.synth();
}

function lastEvent(): Record<string, unknown> {
  const event = events.at(-1)?.event;
  if (event === undefined) throw new Error('no invocation recorded');
  return event;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'local-http-api-'));
  issuer = await startJwtIssuer();
  const outdir = join(workDir, 'cdk.out');
  synthesize(outdir);
  const assembly = loadCloudAssembly(outdir, { region: REGION, accountId: ACCOUNT });
  const { model } = assembly;
  runtime = createLambdaRuntime(
    model.resources
      .filter((r) => r.type === 'AWS::Lambda::Function')
      .map((r) => localFunctionFromResource(r, assembly.assets(r))),
    { extraEnv: { AWS_REGION: REGION }, log: { write: (text: string) => logLines.push(text) } },
  );
  const invoker: LambdaInvoker = {
    invoke: (functionArn, event) => {
      events.push({ functionArn, event: event as Record<string, unknown> });
      return runtime.invoke(functionArn, event);
    },
  };
  const api = model.resources.find((r) => r.type === 'AWS::ApiGatewayV2::Api');
  if (api === undefined) throw new Error('the app has no HTTP API');
  server = createHttpApiServer({
    model,
    apiId: api.physicalId,
    invoker,
    region: REGION,
    accountId: ACCOUNT,
    credentials: CREDENTIALS,
    log: (line) => logLines.push(line),
  });
  base = await server.listen(0);
  // A second server over the same functions, with the timeout shortened from AWS's 30 s, so the timeout test is
  // quick while every other test keeps the real limit (a cold start on a loaded machine can take seconds).
  hurried = createHttpApiServer({
    model,
    apiId: api.physicalId,
    invoker,
    region: REGION,
    accountId: ACCOUNT,
    credentials: CREDENTIALS,
    integrationTimeoutMs: 1000,
    log: (line) => logLines.push(line),
  });
  hurriedBase = await hurried.listen(0);
}, 90_000);

afterAll(async () => {
  await server?.close();
  await hurried?.close();
  await runtime?.close();
  await issuer?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('HTTP API emulator over a synthesized CDK app, with the real Lambda runtime', () => {
  it('invokes GET /items/{id} with a payload 2.0 event and maps status, headers and cookies', async () => {
    const response = await fetch(`${base}/items/42?tag=a&tag=b`, {
      headers: { 'X-Custom': 'one', Cookie: 'a=1; b=2' },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
    expect(response.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9+/]{14}==?$/);
    const event = (await response.json()) as Record<string, unknown>;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{id}',
      rawPath: '/items/42',
      rawQueryString: 'tag=a&tag=b',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { tag: 'a,b' },
      pathParameters: { id: '42' },
      isBase64Encoded: false,
      requestContext: {
        accountId: ACCOUNT,
        apiId: server.apiId,
        routeKey: 'GET /items/{id}',
        stage: '$default',
        http: { method: 'GET', path: '/items/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
      },
    });
    expect(event.headers).toMatchObject({ 'x-custom': 'one', 'x-forwarded-proto': 'http' });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event).not.toHaveProperty('body');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('sends other paths and methods to ANY /{proxy+}, and a result without statusCode becomes a 200 JSON body', async () => {
    const response = await fetch(`${base}/some/deep/path`, { method: 'DELETE' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ routeKey: 'ANY /{proxy+}', proxy: 'some/deep/path' });
  });

  it('answers 404 {"message":"Not Found"} when no route matches', async () => {
    const response = await fetch(`${base}/`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('serves a named stage under /<stage>, with the stage in rawPath and requestContext', async () => {
    const response = await fetch(`${base}/beta/items/7`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      rawPath: '/beta/items/7',
      pathParameters: { id: '7' },
      requestContext: { stage: 'beta', http: { path: '/beta/items/7' } },
    });
  });

  it('passes a request body as text, and a form post base64-encoded', async () => {
    const json = await fetch(`${base}/items/1`, {
      method: 'GET',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(200);
    await fetch(`${base}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(lastEvent()).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    await fetch(`${base}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect(lastEvent()).toMatchObject({
      body: Buffer.from('a=1&b=2').toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('builds a payload 1.0 event when the integration asks for it', async () => {
    const response = await fetch(`${base}/v1?q=x`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      version: '1.0',
      resource: '/v1',
      path: '/v1',
      httpMethod: 'GET',
      queryStringParameters: { q: 'x' },
      multiValueQueryStringParameters: { q: ['x'] },
      requestContext: { routeKey: 'GET /v1', stage: '$default' },
    });
  });

  it('answers 500 {"message":"Internal Server Error"} when the function throws', async () => {
    const response = await fetch(`${base}/crash`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 503 when the integration does not answer within its timeout', async () => {
    const response = await fetch(`${hurriedBase}/slow`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  describe('CORS configured on the API', () => {
    it('answers a preflight itself, with no OPTIONS route, from the CorsConfiguration', async () => {
      const response = await fetch(`${base}/items/1`, {
        method: 'OPTIONS',
        headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'GET' },
      });

      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      expect(response.headers.get('access-control-max-age')).toBe('600');
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    });

    it("sets the gateway's CORS headers on responses to an allowed origin and drops the backend's", async () => {
      const response = await fetch(`${base}/items/1`, { headers: { Origin: APP_ORIGIN } });

      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(response.headers.get('access-control-expose-headers')).toBe('x-echo');
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    });

    it('sets no CORS headers for an origin that is not allowed', async () => {
      const response = await fetch(`${base}/items/1`, { headers: { Origin: 'https://other.example' } });

      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('JWT authorizer (local JWKS)', () => {
    it('passes a valid token (Bearer prefix optional) and puts its claims, stringified, in the event', async () => {
      const token = await issuer.mintIdToken();
      for (const authorization of [`Bearer ${token}`, token]) {
        const response = await fetch(`${base}/me`, { headers: { authorization } });
        expect(response.status).toBe(200);
      }
      const authorizer = (lastEvent().requestContext as Record<string, unknown>).authorizer as {
        jwt: { claims: Record<string, string>; scopes: unknown };
      };
      expect(authorizer.jwt.scopes).toBeNull();
      expect(authorizer.jwt.claims).toMatchObject({
        iss: issuer.issuer,
        aud: issuer.clientId,
        token_use: 'id',
        'cognito:groups': '[member]',
        email_verified: 'true',
      });
      expect(authorizer.jwt.claims.exp).toMatch(/^\d+$/);
    });

    it.each([
      ['no token', undefined],
      ['an expired token', { exp: Math.floor(Date.now() / 1000) - 60 }],
      ['another audience', { aud: 'someone-else' }],
      ['another issuer', { iss: 'http://127.0.0.1:1/other' }],
    ])('answers 401 {"message":"Unauthorized"} for %s', async (_name, claims) => {
      const headers: Record<string, string> =
        claims === undefined ? {} : { authorization: `Bearer ${await issuer.mintIdToken({ claims })}` };
      const response = await fetch(`${base}/me`, { headers });

      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    });

    it('says why in www-authenticate when it refuses a token', async () => {
      const token = await issuer.mintIdToken({ claims: { exp: Math.floor(Date.now() / 1000) - 60 } });
      const response = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });

      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer scope="" error="invalid_token" error_description="the token has expired"',
      );
    });

    it('accepts an access token by client_id and checks the route scopes against scope', async () => {
      const access = (scope: string) =>
        issuer.mintIdToken({
          claims: { aud: undefined, client_id: issuer.clientId, token_use: 'access', scope },
        });

      const allowed = await fetch(`${base}/admin`, {
        headers: { authorization: `Bearer ${await access('orders/read orders/admin')}` },
      });
      expect(allowed.status).toBe(200);
      expect((lastEvent().requestContext as { authorizer: unknown }).authorizer).toMatchObject({
        jwt: { scopes: ['orders/read', 'orders/admin'] },
      });

      const refused = await fetch(`${base}/admin`, {
        headers: { authorization: `Bearer ${await access('orders/read')}` },
      });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ message: 'Forbidden' });
    });
  });

  describe('Lambda authorizer with simple responses', () => {
    it('answers 401 without invoking when the identity source is missing', async () => {
      const before = events.length;
      const response = await fetch(`${base}/tenant`);

      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
      expect(events.length).toBe(before);
    });

    it('passes its context on as requestContext.authorizer.lambda, and caches the result per identity', async () => {
      const first = await fetch(`${base}/tenant`, { headers: { authorization: 'let-me-in' } });
      expect(first.status).toBe(200);
      const authorizerEvent = events.at(-2)?.event;
      expect(authorizerEvent).toMatchObject({
        version: '2.0',
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${server.apiId}/$default/GET/tenant`,
        identitySource: ['let-me-in'],
        routeKey: 'GET /tenant',
      });
      expect((lastEvent().requestContext as { authorizer: unknown }).authorizer).toEqual({
        lambda: { tenant: 't-1', calls: 1 },
      });

      const second = await fetch(`${base}/tenant`, { headers: { authorization: 'let-me-in' } });
      expect(second.status).toBe(200);
      expect((lastEvent().requestContext as { authorizer: unknown }).authorizer).toEqual({
        lambda: { tenant: 't-1', calls: 1 },
      });
    });

    it('answers 403 {"message":"Forbidden"} when isAuthorized is false', async () => {
      const response = await fetch(`${base}/tenant`, { headers: { authorization: 'not-me' } });

      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Forbidden' });
    });
  });

  describe('AWS_IAM', () => {
    async function signed(secretAccessKey: string): Promise<Record<string, string>> {
      const url = new URL(`${base}/operator?dry=1`);
      const signer = new SignatureV4({
        service: 'execute-api',
        region: REGION,
        sha256: Sha256,
        credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey },
      });
      const request = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: { dry: '1' },
        headers: { host: url.host, 'content-type': 'application/json' },
        body: '{"x":1}',
      });
      return Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    }

    it('accepts a request signed with the local credentials and names the caller in authorizer.iam', async () => {
      const response = await fetch(`${base}/operator?dry=1`, {
        method: 'POST',
        headers: await signed(CREDENTIALS.secretAccessKey),
        body: '{"x":1}',
      });

      expect(response.status).toBe(200);
      expect((lastEvent().requestContext as { authorizer: unknown }).authorizer).toMatchObject({
        iam: { accessKey: CREDENTIALS.accessKeyId, accountId: ACCOUNT },
      });
    });

    it('refuses an unsigned request and a wrong signature with 403', async () => {
      const unsigned = await fetch(`${base}/operator`, { method: 'POST', body: '{}' });
      expect(unsigned.status).toBe(403);
      expect(await unsigned.json()).toEqual({ message: 'Forbidden' });

      const forged = await fetch(`${base}/operator?dry=1`, {
        method: 'POST',
        headers: await signed('not-the-secret'),
        body: '{"x":1}',
      });
      expect(forged.status).toBe(403);
    });
  });

  it('throttles a route by its RouteSettings on the stage with 429 {"message":"Too Many Requests"}', async () => {
    expect((await fetch(`${base}/limited`)).status).toBe(200);
    const throttled = await fetch(`${base}/limited`);

    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
    // The stage default (1000 rps) leaves other routes alone.
    expect((await fetch(`${base}/items/1`)).status).toBe(200);
  });

  it('answers 413 to a body over 10 MB without invoking the function', async () => {
    const before = events.length;
    const response = await fetch(`${base}/upload`, {
      method: 'POST',
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a'),
    });

    expect(response.status).toBe(413);
    expect(events.length).toBe(before);
  });
});
