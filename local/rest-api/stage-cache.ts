import type { ApiStage, MethodSetting } from './rest-api-definition';
import type { RestResponse } from './rest-response';

/** What API Gateway does with `Cache-Control: max-age=0` from a caller not allowed `execute-api:InvalidateCache`. */
export type UnauthorizedCacheControlStrategy =
  | 'FAIL_WITH_403'
  | 'SUCCEED_WITH_RESPONSE_HEADER'
  | 'SUCCEED_WITHOUT_RESPONSE_HEADER';

const STRATEGIES: readonly UnauthorizedCacheControlStrategy[] = [
  'FAIL_WITH_403',
  'SUCCEED_WITH_RESPONSE_HEADER',
  'SUCCEED_WITHOUT_RESPONSE_HEADER',
];

/** The TTL when a caching method setting names none (AWS's default); the cap is 3600 s. */
export const DEFAULT_CACHE_TTL_SECONDS = 300;
const MAX_CACHE_TTL_SECONDS = 3600;
/** Larger responses are not cached (AWS: 1,048,576 bytes). */
export const MAX_CACHEABLE_BYTES = 1_048_576;

/** How one method of a stage caches, once its settings are resolved. */
export interface MethodCaching {
  readonly ttlSeconds: number;
  /** `CacheDataEncrypted`: noted (the local cache is memory of this process), not emulated. */
  readonly encrypted: boolean;
  readonly requireAuthorizationForCacheControl: boolean;
  readonly unauthorizedStrategy: UnauthorizedCacheControlStrategy;
}

/** A cache-control setting set through the control plane (UpdateStage `/{path}/{method}/caching/...`). */
interface CacheControlOverride {
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly requireAuthorization?: boolean;
  readonly strategy?: UnauthorizedCacheControlStrategy;
}

interface Entry {
  readonly expiresAt: number;
  readonly response: RestResponse;
}

/** MethodSettings paths are `/` + the resource path with each `/` escaped as `~1` (`/~1orders~1{id}`). */
function unescapeSettingPath(path: string): string {
  return path.replace(/^\//, '').replace(/~1/g, '/');
}

/**
 * The most specific of `settings` that applies to `resourcePath` + `httpMethod` and carries what `has` asks:
 * an exact path beats `/*`, an exact method beats `*`.
 */
export function mostSpecificSetting<T extends { resourcePath: string; httpMethod: string }>(
  settings: readonly T[],
  resourcePath: string,
  httpMethod: string,
  has: (setting: T) => boolean,
): T | undefined {
  const score = (s: T): number => {
    const pathMatches = s.resourcePath === '/*' || unescapeSettingPath(s.resourcePath) === resourcePath;
    const methodMatches = s.httpMethod === '*' || s.httpMethod === httpMethod;
    if (!pathMatches || !methodMatches) return -1;
    return (s.resourcePath === '/*' ? 0 : 2) + (s.httpMethod === '*' ? 0 : 1);
  };
  return settings
    .filter(has)
    .map((s) => ({ s, rank: score(s) }))
    .filter(({ rank }) => rank >= 0)
    .sort((a, b) => b.rank - a.rank)[0]?.s;
}

function copy(response: RestResponse): RestResponse {
  return {
    statusCode: response.statusCode,
    headers: Object.fromEntries(
      Object.entries(response.headers).map(([name, values]) => [name, [...values]]),
    ),
    body: Buffer.from(response.body),
  };
}

/**
 * The stage caches of every REST API, shared by the REST APIs (which read and fill them) and the control
 * plane (FlushStageCache, UpdateStage's cache-control settings), as one cache cluster per stage is in AWS.
 * Entries live in memory: a restart of the local cloud starts cold, as a new cache cluster would.
 */
export class StageCaches {
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly overrides = new Map<string, CacheControlOverride[]>();
  private readonly stages = new Set<string>();

  /** Epoch milliseconds; injectable so expiry can be tested without waiting. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Declares a stage the REST APIs serve, so the control plane can tell a known stage from a typo. */
  registerStage(apiId: string, stage: string): void {
    this.stages.add(`${apiId}/${stage}`);
  }

  /** Whether `apiId` serves `stage`. */
  hasStage(apiId: string, stage: string): boolean {
    return this.stages.has(`${apiId}/${stage}`);
  }

  /**
   * How the method caches on this stage, or `undefined` when it does not: the stage needs a cache cluster,
   * and the most specific MethodSettings entry with `CachingEnabled` must enable it with a TTL above 0. A
   * wildcard-method entry enables GET only, as AWS does; another method must be named.
   */
  methodCaching(
    apiId: string,
    stage: ApiStage,
    resourcePath: string,
    httpMethod: string,
  ): MethodCaching | undefined {
    if (!stage.cacheClusterEnabled) return undefined;
    const enabling = mostSpecificSetting<MethodSetting>(
      stage.methodSettings,
      resourcePath,
      httpMethod,
      (s) => s.cachingEnabled !== undefined,
    );
    if (!enabling?.cachingEnabled) return undefined;
    if (enabling.httpMethod === '*' && httpMethod !== 'GET') return undefined;
    const ttlSetting = mostSpecificSetting<MethodSetting>(
      stage.methodSettings,
      resourcePath,
      httpMethod,
      (s) => s.cacheTtlInSeconds !== undefined,
    );
    const ttlSeconds = Math.min(
      ttlSetting?.cacheTtlInSeconds ?? DEFAULT_CACHE_TTL_SECONDS,
      MAX_CACHE_TTL_SECONDS,
    );
    if (ttlSeconds <= 0) return undefined;
    const overrides = this.overrides.get(`${apiId}/${stage.name}`) ?? [];
    const require = mostSpecificSetting(
      overrides,
      resourcePath,
      httpMethod,
      (o) => o.requireAuthorization !== undefined,
    );
    const strategy = mostSpecificSetting(
      overrides,
      resourcePath,
      httpMethod,
      (o) => o.strategy !== undefined,
    );
    return {
      ttlSeconds,
      encrypted:
        mostSpecificSetting<MethodSetting>(
          stage.methodSettings,
          resourcePath,
          httpMethod,
          (s) => s.cacheDataEncrypted !== undefined,
        )?.cacheDataEncrypted === true,
      // AWS's defaults for a stage nobody updated: authorization required, and served with a warning header.
      requireAuthorizationForCacheControl: require?.requireAuthorization ?? true,
      unauthorizedStrategy: strategy?.strategy ?? 'SUCCEED_WITH_RESPONSE_HEADER',
    };
  }

  /** A copy of the live entry under `key`, or `undefined` (absent or expired). */
  get(apiId: string, stage: string, key: string): RestResponse | undefined {
    const entries = this.entries.get(`${apiId}/${stage}`);
    const entry = entries?.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      entries?.delete(key);
      return undefined;
    }
    return copy(entry.response);
  }

  /** Keeps `response` under `key` for `ttlSeconds` (a response over 1 MB is not kept). */
  set(apiId: string, stage: string, key: string, response: RestResponse, ttlSeconds: number): void {
    if (response.body.length > MAX_CACHEABLE_BYTES) return;
    const id = `${apiId}/${stage}`;
    const entries = this.entries.get(id) ?? new Map<string, Entry>();
    entries.set(key, { expiresAt: this.now() + ttlSeconds * 1000, response: copy(response) });
    this.entries.set(id, entries);
  }

  /** FlushStageCache (and a redeploy): drops every entry of the stage; returns how many there were. */
  flush(apiId: string, stage: string): number {
    const id = `${apiId}/${stage}`;
    const count = this.entries.get(id)?.size ?? 0;
    this.entries.delete(id);
    return count;
  }

  /** Drops every entry of every stage of `apiId` (the API was redeployed). */
  flushApi(apiId: string): void {
    for (const id of [...this.entries.keys()]) if (id.startsWith(`${apiId}/`)) this.entries.delete(id);
  }

  /**
   * Applies one UpdateStage patch operation if it is a cache-control setting
   * (`/{resourcePath}/{method}/caching/requireAuthorizationForCacheControl` or
   * `.../unauthorizedCacheControlHeaderStrategy`); returns an error message for a bad value, `false` when the
   * path is not one of those, `true` when applied.
   */
  patchCacheControl(apiId: string, stage: string, path: string, value: string | undefined): boolean | string {
    const match =
      /^\/([^/]+)\/([^/]+)\/caching\/(requireAuthorizationForCacheControl|unauthorizedCacheControlHeaderStrategy)$/.exec(
        path,
      );
    if (match === null) return false;
    const [, rawPath = '*', rawMethod = '*', name] = match;
    const resourcePath = rawPath === '*' ? '/*' : `/${rawPath}`;
    const httpMethod = rawMethod.toUpperCase();
    let override: CacheControlOverride;
    if (name === 'requireAuthorizationForCacheControl') {
      if (value !== 'true' && value !== 'false') return `Invalid value for ${name}: ${String(value)}`;
      override = { resourcePath, httpMethod, requireAuthorization: value === 'true' };
    } else {
      const strategy = STRATEGIES.find((s) => s === value);
      if (strategy === undefined) {
        return `Invalid value for ${name}: ${String(value)} (one of ${STRATEGIES.join(', ')})`;
      }
      override = { resourcePath, httpMethod, strategy };
    }
    const id = `${apiId}/${stage}`;
    // Newest first: among equally specific settings the last one set wins.
    this.overrides.set(id, [override, ...(this.overrides.get(id) ?? [])]);
    return true;
  }
}
