import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LOCAL_CREDENTIALS, type LocalCloud } from '../../local-cloud';
import type { RequestRecord } from '../../request-records';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * The REST stage cache against a small CDK app of our own: a stage with a cache cluster, caching on for every
 * GET (`/*` + `*`), a method-level TTL and cache key parameters (path, header, query string), a method that
 * turns caching off, a POST the wildcard does not cache, an AWS_IAM method whose signed caller may invalidate,
 * and a second API whose stage has caching settings but no cache cluster. Each answer carries the function's
 * own invocation count, so a cache hit is a response the function did not produce.
 */
let served: CloudOnApp | undefined;
let cloud: LocalCloud | undefined;
const records: RequestRecord[] = [];

function synth(cdkOut: string, work: string): void {
  const code = join(work, 'fn');
  mkdirSync(code, { recursive: true });
  writeFileSync(
    join(code, 'index.js'),
    `let count = 0;
     exports.handler = async (event) => ({
       statusCode: 200,
       body: JSON.stringify({ count: ++count, path: event.path, tenant: event.headers?.['x-tenant'] ?? null }),
     });`,
  );
  writeFileSync(
    join(code, 'authorizer.js'),
    `exports.handler = async (event) => {
       const actions = event.authorizationToken === 'admin'
         ? ['execute-api:Invoke', 'execute-api:InvalidateCache']
         : ['execute-api:Invoke'];
       return {
         principalId: event.authorizationToken,
         policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] },
       };
     };`,
  );
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'StageCacheApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const fn = new lambda.Function(stack, 'Fn', {
    functionName: 'stage-cache-fn',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(code),
  });
  const keys = ['method.request.path.id', 'method.request.header.x-tenant', 'method.request.querystring.v'];
  const keyed = new apigw.LambdaIntegration(fn, { cacheKeyParameters: keys });
  const keyedOptions = { requestParameters: Object.fromEntries(keys.map((k) => [k, false])) };

  const api = new apigw.RestApi(stack, 'Cached', {
    deployOptions: {
      stageName: 'v1',
      cacheClusterEnabled: true,
      cacheClusterSize: '0.5',
      cachingEnabled: true,
      cacheTtl: Duration.minutes(5),
      methodOptions: {
        '/items/{id}/GET': { cachingEnabled: true, cacheTtl: Duration.seconds(60), cacheDataEncrypted: true },
        '/fresh/GET': { cachingEnabled: false },
      },
    },
  });
  const item = api.root.addResource('items').addResource('{id}');
  item.addMethod('GET', keyed, keyedOptions);
  item.addMethod('POST', keyed, keyedOptions);
  // No cache key parameters: every id shares one entry, as in AWS.
  api.root.addResource('unkeyed').addResource('{id}').addMethod('GET', new apigw.LambdaIntegration(fn));
  api.root.addResource('fresh').addMethod('GET', new apigw.LambdaIntegration(fn));
  const authorizer = new apigw.TokenAuthorizer(stack, 'Authorizer', {
    handler: new lambda.Function(stack, 'AuthorizerFn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'authorizer.handler',
      code: lambda.Code.fromAsset(code),
    }),
    resultsCacheTtl: Duration.minutes(5),
  });
  // Cached without the caller in its key: every caller the authorizer lets in shares the entry, as in AWS.
  api.root.addResource('shared').addMethod('GET', new apigw.LambdaIntegration(fn), { authorizer });
  api.root
    .addResource('secure')
    .addMethod('GET', new apigw.LambdaIntegration(fn), { authorizationType: apigw.AuthorizationType.IAM });

  const noCluster = new apigw.RestApi(stack, 'NoCluster', {
    deployOptions: { stageName: 'v1', cachingEnabled: true, cacheTtl: Duration.minutes(5) },
  });
  noCluster.root.addResource('items').addMethod('GET', new apigw.LambdaIntegration(fn));
  // CDK turns the cluster on for a caching setting; a template written otherwise can still leave it off.
  (noCluster.deploymentStage.node.defaultChild as apigw.CfnStage).addPropertyOverride(
    'CacheClusterEnabled',
    false,
  );
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-rest-stage-cache', synth, {
    onRequest: (record) => records.push(record),
  });
  cloud = served.cloud;
}, 60_000);

afterAll(async () => {
  await served?.close();
});

function api(logicalPrefix: string) {
  const found = cloud?.restApis.find((a) => a.logicalId.startsWith(logicalPrefix));
  if (!found) throw new Error(`no REST API ${logicalPrefix}`);
  return found;
}

async function get(path: string, headers: Record<string, string> = {}, base = api('Cached').url) {
  const response = await fetch(`${base}${path}`, { headers });
  const body = (await response.json()) as { count: number; tenant: string | null; message?: string };
  return { status: response.status, body, headers: response.headers, record: records.at(-1) };
}

/** A REST-JSON call to the local control plane, as @aws-sdk/client-api-gateway sends it. */
async function control(method: string, path: string, body?: unknown): Promise<number> {
  const endpoint = cloud?.endpoints.find((e) => e.kind === 'API Gateway control plane')?.url ?? '';
  const response = await fetch(`${endpoint}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.text();
  return response.status;
}

const stagePath = () => `/restapis/${api('Cached').restApiId}/stages/v1`;

async function setCacheControl(name: string, value: string): Promise<number> {
  return control('PATCH', stagePath(), {
    patchOperations: [{ op: 'replace', path: `/*/*/caching/${name}`, value }],
  });
}

describe('the REST stage cache', () => {
  it('answers a second GET within the TTL from the cache, and says hit or miss in the request record', async () => {
    const first = await get('/items/a?v=1', { 'x-tenant': 't1' });
    const second = await get('/items/a?v=1', { 'x-tenant': 't1' });
    expect(first.status).toBe(200);
    expect(first.record).toMatchObject({
      method: 'GET',
      path: '/v1/items/a',
      status: 200,
      stageCache: 'miss',
    });
    expect(first.record?.functions).toEqual(['stage-cache-fn']);
    expect(second.body).toEqual(first.body);
    expect(second.record?.stageCache).toBe('hit');
    // A hit never reaches the function: no function in the record.
    expect(second.record?.functions).toEqual([]);
    // Each answer is still a request of its own.
    expect(second.headers.get('x-amzn-requestid')).not.toBe(first.headers.get('x-amzn-requestid'));
  });

  it('keys entries by every cache key parameter: path, header and query string', async () => {
    const base = await get('/items/k?v=1', { 'x-tenant': 't1' });
    for (const [path, tenant] of [
      ['/items/other?v=1', 't1'],
      ['/items/k?v=2', 't1'],
      ['/items/k?v=1', 't2'],
    ] as const) {
      const answer = await get(path, { 'x-tenant': tenant });
      expect(answer.record?.stageCache).toBe('miss');
      expect(answer.body.count).not.toBe(base.body.count);
    }
  });

  it('shares one entry across path values when the path parameter is not a cache key, as AWS does', async () => {
    const first = await get('/unkeyed/1');
    const second = await get('/unkeyed/2');
    expect(second.record?.stageCache).toBe('hit');
    expect(second.body).toEqual(first.body);
  });

  it('does not cache a method whose setting turns caching off, nor a POST under a wildcard setting', async () => {
    await get('/fresh');
    expect((await get('/fresh')).record?.stageCache).toBeUndefined();
    const post = async () => {
      const response = await fetch(`${api('Cached').url}/items/p`, { method: 'POST', body: '{}' });
      return (await response.json()) as { count: number };
    };
    const a = await post();
    const b = await post();
    expect(b.count).toBeGreaterThan(a.count);
    expect(records.at(-1)?.stageCache).toBeUndefined();
  });

  it('caches nothing on a stage without a cache cluster, whatever its method settings', async () => {
    const base = api('NoCluster').url;
    const a = await get('/items', {}, base);
    const b = await get('/items', {}, base);
    expect(b.body.count).toBeGreaterThan(a.body.count);
    expect(b.record?.stageCache).toBeUndefined();
  });

  it('empties the stage on FlushStageCache through the control plane', async () => {
    const before = await get('/items/f', { 'x-tenant': 't1' });
    expect((await get('/items/f', { 'x-tenant': 't1' })).record?.stageCache).toBe('hit');
    expect(await control('DELETE', `${stagePath()}/cache/data`)).toBe(202);
    const after = await get('/items/f', { 'x-tenant': 't1' });
    expect(after.record?.stageCache).toBe('miss');
    expect(after.body.count).not.toBe(before.body.count);
    expect(await control('DELETE', `/restapis/${api('Cached').restApiId}/stages/nope/cache/data`)).toBe(404);
  });

  it('leaves the authorizer identity out of the key unless configured, and reports the authorizer cache', async () => {
    const first = await get('/shared', { authorization: 'reader' });
    expect(first.record).toMatchObject({ authorizer: { cache: 'miss' }, stageCache: 'miss' });
    const again = await get('/shared', { authorization: 'reader' });
    expect(again.record).toMatchObject({ authorizer: { cache: 'hit' }, stageCache: 'hit' });
    const admin = await get('/shared', { authorization: 'admin' });
    expect(admin.record).toMatchObject({ authorizer: { cache: 'miss' }, stageCache: 'hit' });
    expect(admin.body).toEqual(first.body);
  });

  it('lets a caller whose authorizer policy allows execute-api:InvalidateCache refetch, and no one else', async () => {
    const cached = await get('/shared', { authorization: 'reader' });
    const reader = await get('/shared', { authorization: 'reader', 'cache-control': 'max-age=0' });
    expect(reader.record?.stageCache).toBe('hit');
    expect(reader.body).toEqual(cached.body);
    const admin = await get('/shared', { authorization: 'admin', 'cache-control': 'max-age=0' });
    expect(admin.record?.stageCache).toBe('miss');
    expect(admin.body.count).toBeGreaterThan(cached.body.count);
  });

  describe('Cache-Control: max-age=0', () => {
    const noCache = { 'x-tenant': 't1', 'cache-control': 'max-age=0' };

    it('from a caller not allowed to invalidate: served from the cache with a warning header (the default)', async () => {
      const cached = await get('/items/m', { 'x-tenant': 't1' });
      const answer = await get('/items/m', noCache);
      expect(answer.record?.stageCache).toBe('hit');
      expect(answer.body).toEqual(cached.body);
      expect(answer.headers.get('warning')).toMatch(/^199 /);
    });

    it('FAIL_WITH_403: refused', async () => {
      expect(await setCacheControl('unauthorizedCacheControlHeaderStrategy', 'FAIL_WITH_403')).toBe(200);
      const answer = await get('/items/m', noCache);
      expect(answer.status).toBe(403);
      expect(answer.record?.functions).toEqual([]);
    });

    it('SUCCEED_WITHOUT_RESPONSE_HEADER: served from the cache, silently', async () => {
      expect(
        await setCacheControl('unauthorizedCacheControlHeaderStrategy', 'SUCCEED_WITHOUT_RESPONSE_HEADER'),
      ).toBe(200);
      const answer = await get('/items/m', noCache);
      expect(answer.record?.stageCache).toBe('hit');
      expect(answer.headers.get('warning')).toBeNull();
    });

    it('refetches and replaces the entry for a SigV4 caller allowed execute-api:InvalidateCache', async () => {
      const url = new URL(`${api('Cached').url}/secure`);
      const signedGet = async (extra: Record<string, string>) => {
        const signer = new SignatureV4({
          service: 'execute-api',
          region: 'us-east-1',
          sha256: Sha256,
          credentials: LOCAL_CREDENTIALS,
        });
        const signed = await signer.sign({
          method: 'GET',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: url.pathname,
          headers: { host: url.host, ...extra },
        });
        const response = await fetch(url, { headers: signed.headers as Record<string, string> });
        return { body: (await response.json()) as { count: number }, record: records.at(-1) };
      };
      const first = await signedGet({});
      expect((await signedGet({})).record?.stageCache).toBe('hit');
      const refetched = await signedGet({ 'cache-control': 'max-age=0' });
      expect(refetched.record?.stageCache).toBe('miss');
      expect(refetched.body.count).toBeGreaterThan(first.body.count);
      // The refetched answer replaced the entry.
      expect((await signedGet({})).body).toEqual(refetched.body);
    });

    it('refetches for anyone once the stage no longer requires authorization', async () => {
      expect(await setCacheControl('requireAuthorizationForCacheControl', 'false')).toBe(200);
      const cached = await get('/items/m', { 'x-tenant': 't1' });
      const answer = await get('/items/m', noCache);
      expect(answer.record?.stageCache).toBe('miss');
      expect(answer.body.count).toBeGreaterThan(cached.body.count);
    });

    it('refuses a strategy value the API does not know, naming it', async () => {
      expect(await setCacheControl('unauthorizedCacheControlHeaderStrategy', 'MAYBE')).toBe(400);
    });
  });
});
