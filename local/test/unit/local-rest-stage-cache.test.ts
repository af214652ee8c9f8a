import type { ApiStage, MethodSetting } from '../../rest-api/rest-api-definition';
import { StageCaches } from '../../rest-api/stage-cache';

const stage = (methodSettings: MethodSetting[], cacheClusterEnabled = true): ApiStage => ({
  name: 'prod',
  deploymentId: 'd1',
  variables: {},
  methodSettings,
  cacheClusterEnabled,
});
const response = (body: string) => ({ statusCode: 200, headers: { a: ['1'] }, body: Buffer.from(body) });

describe('stage caches', () => {
  let now = 0;
  const caches = () => new StageCaches(() => now);

  it('expires an entry when its TTL has passed, not before', () => {
    now = 1_000;
    const cache = caches();
    cache.set('api', 'prod', 'k', response('x'), 60);
    now += 59_999;
    expect(cache.get('api', 'prod', 'k')?.body.toString()).toBe('x');
    now += 1;
    expect(cache.get('api', 'prod', 'k')).toBeUndefined();
  });

  it('hands out copies: a caller changing a served response does not change the entry', () => {
    const cache = caches();
    cache.set('api', 'prod', 'k', response('x'), 60);
    const served = cache.get('api', 'prod', 'k');
    served?.headers.a?.push('2');
    expect(cache.get('api', 'prod', 'k')?.headers.a).toEqual(['1']);
  });

  it('does not keep a response over 1 MB', () => {
    const cache = caches();
    cache.set('api', 'prod', 'k', response('x'.repeat(1_048_577)), 60);
    expect(cache.get('api', 'prod', 'k')).toBeUndefined();
  });

  it('flushes one stage, or every stage of a redeployed API, and no other API', () => {
    const cache = caches();
    for (const [api, name] of [
      ['api', 'prod'],
      ['api', 'dev'],
      ['other', 'prod'],
    ] as const) {
      cache.set(api, name, 'k', response(name), 60);
    }
    expect(cache.flush('api', 'prod')).toBe(1);
    expect(cache.get('api', 'prod', 'k')).toBeUndefined();
    expect(cache.get('api', 'dev', 'k')).toBeDefined();
    cache.flushApi('api');
    expect(cache.get('api', 'dev', 'k')).toBeUndefined();
    expect(cache.get('other', 'prod', 'k')).toBeDefined();
  });

  it('resolves method caching from the most specific setting, GET only under a wildcard method, TTL capped at 3600', () => {
    const cache = caches();
    const settings: MethodSetting[] = [
      { resourcePath: '/*', httpMethod: '*', cachingEnabled: true, cacheTtlInSeconds: 7200 },
      { resourcePath: '/~1items', httpMethod: 'POST', cachingEnabled: true, cacheTtlInSeconds: 10 },
      { resourcePath: '/~1off', httpMethod: 'GET', cachingEnabled: false },
    ];
    expect(cache.methodCaching('api', stage(settings), '/a', 'GET')).toMatchObject({
      ttlSeconds: 3600,
      requireAuthorizationForCacheControl: true,
      unauthorizedStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
    });
    expect(cache.methodCaching('api', stage(settings), '/a', 'PUT')).toBeUndefined();
    expect(cache.methodCaching('api', stage(settings), '/items', 'POST')?.ttlSeconds).toBe(10);
    expect(cache.methodCaching('api', stage(settings), '/off', 'GET')).toBeUndefined();
    expect(cache.methodCaching('api', stage(settings, false), '/a', 'GET')).toBeUndefined();
    expect(
      cache.methodCaching(
        'api',
        stage([{ resourcePath: '/*', httpMethod: '*', cachingEnabled: true, cacheTtlInSeconds: 0 }]),
        '/a',
        'GET',
      ),
    ).toBeUndefined();
  });

  it('applies UpdateStage cache-control patches, the newest of equal specificity winning, and names a bad value', () => {
    const cache = caches();
    const settings: MethodSetting[] = [{ resourcePath: '/*', httpMethod: '*', cachingEnabled: true }];
    const path = '/*/*/caching/unauthorizedCacheControlHeaderStrategy';
    expect(cache.patchCacheControl('api', 'prod', path, 'FAIL_WITH_403')).toBe(true);
    expect(cache.patchCacheControl('api', 'prod', path, 'SUCCEED_WITHOUT_RESPONSE_HEADER')).toBe(true);
    expect(
      cache.patchCacheControl('api', 'prod', '/~1a/GET/caching/requireAuthorizationForCacheControl', 'false'),
    ).toBe(true);
    expect(cache.methodCaching('api', stage(settings), '/b', 'GET')).toMatchObject({
      requireAuthorizationForCacheControl: true,
      unauthorizedStrategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER',
    });
    expect(
      cache.methodCaching('api', stage(settings), '/a', 'GET')?.requireAuthorizationForCacheControl,
    ).toBe(false);
    expect(cache.patchCacheControl('api', 'prod', path, 'MAYBE')).toMatch(/MAYBE.*FAIL_WITH_403/);
    expect(cache.patchCacheControl('api', 'prod', '/description', 'x')).toBe(false);
  });
});
