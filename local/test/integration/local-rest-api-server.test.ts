import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ApiKeyStore } from '../../api-keys/api-key-store';
import { LambdaInvocationError, type LambdaInvoker, type LocalCloudModel } from '../../model';
import type { RequestRecord } from '../../request-records';
import { requestAuthorizerEvent } from '../../rest-api/authorizers/authorizer-events';
import { createRestApiServer, type RestApiServer } from '../../rest-api/rest-api-server';
import type {
  AuthorizationRequest,
  AuthorizationResult,
  RestAuthorizers,
} from '../../rest-api/rest-authorization';
import { loadCloudAssembly } from '../../template/cloud-assembly';
import { awsEvent } from '../support/aws-events';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ORIGIN_A = 'https://a.example.com';
const ORIGIN_B = 'https://b.example.com';
const PLAN_KEY = 'plan-key-value-0123456789';
const THROTTLED_KEY = 'throttled-key-0123456789';

let workDir: string;
let model: LocalCloudModel;
let server: RestApiServer;
let base: string;
let apiKeys: ApiKeyStore;
const invocations: Array<{ functionArn: string; event: Record<string, unknown> }> = [];
const authorizations: AuthorizationRequest[] = [];
const logLines: string[] = [];
const records: RequestRecord[] = [];

/** A small API with the features the emulator must honour, synthesized the way `npm start` would read it. */
function synthesize(outdir: string): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'RestApp', { env: { account: ACCOUNT, region: REGION } });
  const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "" });');
  const fn = (id: string): lambda.Function =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code,
      functionName: id,
    });
  const echo = new apigw.LambdaIntegration(fn('echo'));
  const api = new apigw.RestApi(stack, 'Api', {
    binaryMediaTypes: ['image/png'],
    defaultCorsPreflightOptions: {
      allowOrigins: [ORIGIN_A, ORIGIN_B],
      allowHeaders: ['Content-Type', 'Authorization'],
    },
    deployOptions: {
      stageName: 'prod',
      variables: { colour: 'blue' },
      methodOptions: { '/limited/GET': { throttlingRateLimit: 0.001, throttlingBurstLimit: 1 } },
    },
  });
  const items = api.root.addResource('items');
  const model = api.addModel('Item', {
    contentType: 'application/json',
    schema: {
      schema: apigw.JsonSchemaVersion.DRAFT4,
      type: apigw.JsonSchemaType.OBJECT,
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: apigw.JsonSchemaType.STRING } },
    },
  });
  items.addMethod('POST', echo, {
    requestValidator: api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    }),
    requestModels: { 'application/json': model },
    requestParameters: { 'method.request.header.x-tenant-hint': true },
  });
  items.addResource('{id}').addMethod('GET', echo);
  items.addResource('special').addMethod('GET', echo);
  api.root.addProxy({ defaultIntegration: echo, anyMethod: true });
  api.root.addResource('broken').addMethod('GET', new apigw.LambdaIntegration(fn('broken')));
  api.root.addResource('crash').addMethod('GET', new apigw.LambdaIntegration(fn('crash')));
  api.root.addResource('limited').addMethod('GET', echo);
  const authorizer = new apigw.TokenAuthorizer(stack, 'Authorizer', { handler: fn('authorizer') });
  api.root.addResource('secure').addMethod('GET', echo, { authorizer });
  const metered = api.root.addResource('metered');
  metered.addMethod('GET', echo, { apiKeyRequired: true });
  api.addGatewayResponse('NotFound', {
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    responseHeaders: { 'x-custom': "'yes'", 'x-echo-origin': 'method.request.header.Origin' },
    templates: { 'application/json': '{"error":$context.error.messageString,"stage":"$context.stage"}' },
  });
  api.addGatewayResponse('Default4xx', {
    type: apigw.ResponseType.DEFAULT_4XX,
    responseHeaders: { 'Access-Control-Allow-Origin': "'*'" },
    templates: {
      'application/json':
        '{"message":$context.error.messageString,"detail":"$util.escapeJavaScript($context.error.validationErrorString)"}',
    },
  });
  const quotaPlan = api.addUsagePlan('QuotaPlan', { quota: { limit: 2, period: apigw.Period.DAY } });
  quotaPlan.addApiStage({ stage: api.deploymentStage });
  quotaPlan.addApiKey(api.addApiKey('PlanKey', { apiKeyName: 'plan-key', value: PLAN_KEY }));
  const throttlePlan = api.addUsagePlan('ThrottlePlan', { throttle: { rateLimit: 0.001, burstLimit: 1 } });
  throttlePlan.addApiStage({ stage: api.deploymentStage });
  throttlePlan.addApiKey(api.addApiKey('ThrottledKey', { apiKeyName: 'throttled', value: THROTTLED_KEY }));
  app.synth();
}

const invoker: LambdaInvoker = {
  async invoke(functionArn, event) {
    invocations.push({ functionArn, event: event as Record<string, unknown> });
    if (functionArn.endsWith(':broken')) return { statusCode: 200, body: { not: 'a string' } };
    if (functionArn.endsWith(':crash')) throw new LambdaInvocationError('boom', 'Unhandled');
    return {
      statusCode: 200,
      headers: { 'x-single': 'one', 'Content-Type': 'application/json' },
      multiValueHeaders: { 'x-multi': ['a', 'b'] },
      body: JSON.stringify({ echoed: true }),
    };
  },
};

const authorizers: RestAuthorizers = {
  async authorize(request): Promise<AuthorizationResult> {
    authorizations.push(request);
    if (request.request.headers.authorization?.[0] === 'allow') {
      return {
        ok: true,
        authorizer: { principalId: 'user-1', tenantId: 't-1' },
        identity: { user: 'user-1' },
      };
    }
    return { ok: false, statusCode: 401, responseType: 'UNAUTHORIZED', message: 'Unauthorized' };
  },
};

function lastEvent(): Record<string, unknown> {
  const event = invocations.at(-1)?.event;
  if (!event) throw new Error('no invocation recorded');
  return event;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'local-rest-'));
  synthesize(join(workDir, 'cdk.out'));
  model = loadCloudAssembly(join(workDir, 'cdk.out'), { region: REGION, accountId: ACCOUNT }).model;
  const restApi = model.resources.find((r) => r.type === 'AWS::ApiGateway::RestApi');
  if (!restApi) throw new Error('the app has no RestApi');
  apiKeys = ApiKeyStore.fromModel(model);
  server = createRestApiServer({
    model,
    restApiId: restApi.logicalId,
    invoker,
    authorizers,
    region: REGION,
    accountId: ACCOUNT,
    apiKeys,
    log: (line) => logLines.push(line),
    onRequest: (record) => records.push(record),
  });
  base = await server.listen();
}, 60_000);

afterAll(async () => {
  await server.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('REST API emulator over a synthesized CDK app', () => {
  it('invokes the Lambda proxy with a v1 event and maps headers, multi-value headers and body', async () => {
    const response = await fetch(`${base}/prod/items/42?tag=a&tag=b`, {
      headers: { 'X-Custom-Case': 'kept' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echoed: true });
    expect(response.headers.get('x-single')).toBe('one');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const event = lastEvent();
    expect(invocations.at(-1)?.functionArn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:echo`);
    expect(event).toMatchObject({
      resource: '/items/{id}',
      path: '/items/42',
      httpMethod: 'GET',
      pathParameters: { id: '42' },
      queryStringParameters: { tag: 'b' },
      multiValueQueryStringParameters: { tag: ['a', 'b'] },
      stageVariables: { colour: 'blue' },
      body: null,
      isBase64Encoded: false,
    });
    expect((event.headers as Record<string, string>)['X-Custom-Case']).toBe('kept');
    expect(event.requestContext).toMatchObject({
      resourcePath: '/items/{id}',
      path: '/prod/items/42',
      stage: 'prod',
      accountId: ACCOUNT,
      apiId: server.apiId,
      identity: { sourceIp: '127.0.0.1' },
    });
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('prefers a literal segment over a path parameter, and sends the rest of the path to {proxy+} with ANY', async () => {
    await fetch(`${base}/prod/items/special`);
    expect(lastEvent().resource).toBe('/items/special');
    await fetch(`${base}/prod/some/deep/path`, { method: 'DELETE' });
    expect(lastEvent()).toMatchObject({
      resource: '/{proxy+}',
      httpMethod: 'DELETE',
      pathParameters: { proxy: 'some/deep/path' },
    });
  });

  it('base64-encodes bodies of the API binary media types', async () => {
    await fetch(`${base}/prod/upload`, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png' },
      body: Buffer.from([0, 1, 2, 255]),
    });
    expect(lastEvent()).toMatchObject({
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('answers an unknown stage with the customised MISSING_AUTHENTICATION_TOKEN gateway response', async () => {
    const response = await fetch(`${base}/nostage/items`, { headers: { Origin: ORIGIN_A } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-custom')).toBe('yes');
    expect(response.headers.get('x-echo-origin')).toBe(ORIGIN_A);
    expect(await response.json()).toEqual({ error: 'Missing Authentication Token', stage: 'nostage' });
  });

  it('answers CORS preflight for either allowed origin through the MOCK integration and its VTL', async () => {
    const first = await fetch(`${base}/prod/items`, { method: 'OPTIONS', headers: { Origin: ORIGIN_A } });
    expect(first.status).toBe(204);
    expect(first.headers.get('access-control-allow-origin')).toBe(ORIGIN_A);
    expect(first.headers.get('access-control-allow-methods')).toContain('POST');
    const second = await fetch(`${base}/prod/items`, { method: 'OPTIONS', headers: { origin: ORIGIN_B } });
    expect(second.headers.get('access-control-allow-origin')).toBe(ORIGIN_B);
    expect(second.headers.get('vary')).toBe('Origin');
    const other = await fetch(`${base}/prod/items`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example.com' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBe(ORIGIN_A);
  });

  it('rejects a body the model does not allow with 400 and AWS-style validationErrorString, without invoking', async () => {
    const before = invocations.length;
    const response = await fetch(`${base}/prod/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-tenant-hint': 'h' },
      body: JSON.stringify({ name: 'n', extra: 1 }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({
      message: 'Invalid request body',
      detail: '[object instance has properties which are not allowed by the schema: ["extra"]]',
    });
    expect(invocations.length).toBe(before);
  });

  it('rejects a missing required header with 400 BAD_REQUEST_PARAMETERS and accepts a valid request', async () => {
    const missing = await fetch(`${base}/prod/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'n' }),
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toBe(
      'Missing required request parameters: [x-tenant-hint]',
    );
    const valid = await fetch(`${base}/prod/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-tenant-hint': 'h' },
      body: JSON.stringify({ name: 'n' }),
    });
    expect(valid.status).toBe(200);
    expect(lastEvent().body).toBe('{"name":"n"}');
  });

  it('answers 502 Internal server error for a malformed proxy result and for a failed invocation', async () => {
    const malformed = await fetch(`${base}/prod/broken`);
    expect(malformed.status).toBe(502);
    expect(await malformed.json()).toEqual({ message: 'Internal server error' });
    const crashed = await fetch(`${base}/prod/crash`);
    expect(crashed.status).toBe(502);
    expect(await crashed.json()).toEqual({ message: 'Internal server error' });
  });

  it('calls the authorizer with the method ARN and passes its context into requestContext.authorizer', async () => {
    const denied = await fetch(`${base}/prod/secure`);
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { message: string }).message).toBe('Unauthorized');
    const allowed = await fetch(`${base}/prod/secure`, { headers: { Authorization: 'allow' } });
    expect(allowed.status).toBe(200);
    expect(authorizations.at(-1)).toMatchObject({
      authorizationType: 'CUSTOM',
      methodArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${server.apiId}/prod/GET/secure`,
      resourcePath: '/secure',
    });
    // The method's authorizer, as read from the template at start (a TOKEN authorizer with its function).
    expect(authorizations.at(-1)?.authorizer).toMatchObject({
      type: 'TOKEN',
      functionArn: expect.any(String),
    });
    expect(lastEvent().requestContext).toMatchObject({
      authorizer: { principalId: 'user-1', tenantId: 't-1' },
      identity: { user: 'user-1' },
    });
  });

  it('requires a key bound to a usage plan of the stage, then enforces the plan quota with 429', async () => {
    expect((await fetch(`${base}/prod/metered`)).status).toBe(403);
    const wrong = await fetch(`${base}/prod/metered`, { headers: { 'x-api-key': 'not-a-key-0123456789' } });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ message: 'Forbidden', detail: '' });
    for (let i = 0; i < 2; i += 1) {
      expect((await fetch(`${base}/prod/metered`, { headers: { 'x-api-key': PLAN_KEY } })).status).toBe(200);
    }
    expect(lastEvent().requestContext).toMatchObject({ identity: { apiKey: PLAN_KEY } });
    const over = await fetch(`${base}/prod/metered`, { headers: { 'x-api-key': PLAN_KEY } });
    expect(over.status).toBe(429);
    expect(((await over.json()) as { message: string }).message).toBe('Limit Exceeded');
  });

  it('throttles per key from the plan and per method from the stage MethodSettings', async () => {
    expect((await fetch(`${base}/prod/metered`, { headers: { 'x-api-key': THROTTLED_KEY } })).status).toBe(
      200,
    );
    const throttled = await fetch(`${base}/prod/metered`, { headers: { 'x-api-key': THROTTLED_KEY } });
    expect(throttled.status).toBe(429);
    expect(((await throttled.json()) as { message: string }).message).toBe('Too Many Requests');
    expect((await fetch(`${base}/prod/limited`)).status).toBe(200);
    expect((await fetch(`${base}/prod/limited`)).status).toBe(429);
  });

  it('meters a key created at run time as soon as it is bound to a plan', async () => {
    const key = apiKeys.createApiKey({ name: 'runtime', enabled: true });
    expect((await fetch(`${base}/prod/metered`, { headers: { 'x-api-key': key.value } })).status).toBe(403);
    const plan = model.resources.find(
      (r) => r.logicalId.startsWith('ApiQuotaPlan') && r.type === 'AWS::ApiGateway::UsagePlan',
    );
    expect(apiKeys.addUsagePlanKey(plan?.physicalId ?? '', key.id)).toBe('created');
    expect((await fetch(`${base}/prod/metered`, { headers: { 'x-api-key': key.value } })).status).toBe(200);
  });

  it('hands one request record per request to onRequest, once the response is sent', async () => {
    const before = records.length;
    await (await fetch(`${base}/prod/items/7?x=1`)).text();
    // The record follows the response's end on the server side, which the client may see first.
    for (let i = 0; i < 100 && records.length === before; i++)
      await new Promise((done) => setTimeout(done, 20));
    expect(records.slice(before)).toEqual([
      expect.objectContaining({ kind: 'REST API', method: 'GET', path: '/prod/items/7', status: 200 }),
    ]);
  });
});

describe('what API Gateway adds to a REST request, compared with AWS captures', () => {
  const GATEWAY_HEADERS = ['X-Amzn-Trace-Id', 'X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto'];

  it('gives the proxy event X-Forwarded-For, -Proto, -Port and X-Amzn-Trace-Id in headers and multiValueHeaders, as the capture has', async () => {
    await fetch(`${base}/prod/items/9`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    const event = lastEvent() as {
      headers: Record<string, string>;
      multiValueHeaders: Record<string, string[]>;
    };
    const capture = awsEvent<{ headers: Record<string, string> }>('apigw-rest_no-auth.json');
    for (const name of GATEWAY_HEADERS) {
      expect(Object.keys(capture.headers)).toContain(name);
      expect(event.headers[name]).toEqual(expect.any(String));
      expect(event.multiValueHeaders[name]).toEqual([event.headers[name]]);
    }
    expect(event.headers['X-Forwarded-For']).toBe('203.0.113.7, 127.0.0.1');
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Forwarded-Port']).toBe(new URL(base).port);
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('gives the REQUEST authorizer event and the proxy event of one request the same headers, domainPrefix, resourceId, deploymentId and extendedRequestId', async () => {
    const allowed = await fetch(`${base}/prod/secure`, { headers: { Authorization: 'allow' } });
    expect(allowed.status).toBe(200);
    const authorization = authorizations.at(-1);
    if (!authorization) throw new Error('the authorizer was not called');
    const authorizerEvent = requestAuthorizerEvent(authorization, {
      region: REGION,
      accountId: ACCOUNT,
      nowMs: Date.now(),
    });
    const proxyEvent = lastEvent() as {
      headers: Record<string, string>;
      requestContext: Record<string, unknown>;
    };
    const ids = (context: Record<string, unknown>) => ({
      domainPrefix: context.domainPrefix,
      resourceId: context.resourceId,
      deploymentId: context.deploymentId,
      extendedRequestId: context.extendedRequestId,
    });
    expect(ids(authorizerEvent.requestContext)).toEqual(ids(proxyEvent.requestContext));
    expect(proxyEvent.requestContext.extendedRequestId).toBe(allowed.headers.get('x-amz-apigw-id'));
    for (const name of GATEWAY_HEADERS) expect(authorizerEvent.headers[name]).toBe(proxyEvent.headers[name]);
    const capture = awsEvent<{ headers: Record<string, string> }>('apigw-rest_authorizer-request.json');
    for (const name of GATEWAY_HEADERS) expect(Object.keys(capture.headers)).toContain(name);
  });
});
