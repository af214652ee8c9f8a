import { evaluateJsonPath } from './json-path';

/** The request parameters `$input.params()` exposes, each name with one value (the last one sent). */
export interface VtlParams {
  readonly path: Record<string, string>;
  readonly querystring: Record<string, string>;
  readonly header: Record<string, string>;
}

/**
 * The header map of `$input.params()`: iterates in the client's casing, but `get`/`containsKey` ignore case, as
 * HTTP header names do (CDK's CORS template asks for "Origin" and falls back to "origin").
 */
export class HeaderMap {
  [name: string]: string;

  constructor(headers: Record<string, string>) {
    Object.assign(this, headers);
  }
}

/** Case-insensitive lookup in a HeaderMap. */
export function headerMapGet(map: HeaderMap, name: unknown): string | null {
  const lower = String(name).toLowerCase();
  const found = Object.keys(map).find((key) => key.toLowerCase() === lower);
  return found === undefined ? null : (map[found] ?? null);
}

/** `$input` of a mapping template. */
export interface VtlInput {
  readonly body: string;
  json(path: string): string;
  path(path: string): unknown;
  params(): VtlParams;
  params(name: string): string;
}

function parsedBody(body: string): unknown {
  // API Gateway treats an empty payload as an empty object for $input.json/$input.path.
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // A non-JSON payload can still be read whole with '$'.
    return body;
  }
}

/**
 * Creates `$input` over a request (or integration response) body. `params(name)` searches path, then query string,
 * then headers (header names case-insensitively), as API Gateway does, and returns '' when absent.
 */
export function createVtlInput(body: string, params: VtlParams): VtlInput {
  let cached: { value: unknown } | undefined;
  const document = (): unknown => {
    cached ??= { value: parsedBody(body) };
    return cached.value;
  };
  function paramsOf(): VtlParams;
  function paramsOf(name: string): string;
  function paramsOf(name?: string): VtlParams | string {
    if (name === undefined) {
      // Fresh copies: templates may mutate what they read (#set on a map), which must not leak across renders.
      return {
        path: { ...params.path },
        querystring: { ...params.querystring },
        header: new HeaderMap(params.header),
      };
    }
    const fromPath = params.path[name] ?? params.querystring[name];
    if (fromPath !== undefined) return fromPath;
    const lower = name.toLowerCase();
    const header = Object.entries(params.header).find(([key]) => key.toLowerCase() === lower);
    return header?.[1] ?? '';
  }
  return {
    body,
    json: (path) => JSON.stringify(evaluateJsonPath(document(), path) ?? null),
    path: (path) => evaluateJsonPath(document(), path),
    params: paramsOf,
  };
}
