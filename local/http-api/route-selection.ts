/** One path segment of a route key: literal text, a `{name}` variable, or a trailing greedy `{name+}`. */
export type RouteSegment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

/** A parsed route key: `$default`, or `METHOD /path` where METHOD may be `ANY`. */
export type RouteKey =
  | { readonly kind: 'default'; readonly text: '$default' }
  | {
      readonly kind: 'path';
      readonly text: string;
      readonly method: string;
      readonly segments: readonly RouteSegment[];
    };

/** A route that matched a request, with its path variables (decoded). */
export interface RouteSelection<R> {
  readonly route: R;
  readonly pathParameters: Record<string, string>;
}

function segmentsOf(path: string): string[] {
  // `/` has no segments; `/a/b` has two. A trailing slash is a segment of its own (an empty one).
  return path === '/' ? [] : path.replace(/^\//, '').split('/');
}

/** Parses a RouteKey as CloudFormation spells it (`GET /items/{id}`, `ANY /{proxy+}`, `$default`). */
export function parseRouteKey(text: string): RouteKey {
  if (text === '$default') return { kind: 'default', text };
  const match = /^(\S+)\s+(\/\S*)$/.exec(text.trim());
  if (match === null) throw new Error(`route key ${JSON.stringify(text)} is not "METHOD /path" or $default`);
  const [, method = '', path = '/'] = match;
  const segments = segmentsOf(path).map((segment): RouteSegment => {
    const variable = /^\{([^{}]+?)(\+?)\}$/.exec(segment);
    if (variable === null) return { kind: 'literal', value: segment };
    const [, name = '', plus] = variable;
    return plus ? { kind: 'greedy', name } : { kind: 'variable', name };
  });
  return { kind: 'path', text, method: method.toUpperCase(), segments };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The path variables when `segments` match `parts`, else undefined. A greedy variable takes one or more segments. */
function matchSegments(
  segments: readonly RouteSegment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const part = parts[i];
    if (segment === undefined || part === undefined) return undefined;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      parameters[segment.name] = safeDecode(rest.join('/'));
      return parameters;
    }
    if (segment.kind === 'literal') {
      if (segment.value !== safeDecode(part)) return undefined;
    } else {
      if (part === '') return undefined;
      parameters[segment.name] = safeDecode(part);
    }
  }
  return segments.length === parts.length ? parameters : undefined;
}

const RANK: Record<RouteSegment['kind'], number> = { literal: 2, variable: 1, greedy: 0 };

/**
 * Orders two matching routes, most specific first, as API Gateway documents it: segment by segment from the
 * left, a literal beats a variable, which beats a greedy variable; with the same path, a route for the request's
 * method beats `ANY`.
 */
function compareSpecificity(a: RouteKey & { kind: 'path' }, b: RouteKey & { kind: 'path' }): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const left = a.segments[i];
    const right = b.segments[i];
    // A route that ran out of segments matched exactly there; a longer one only if a greedy ends it.
    if (left === undefined || right === undefined) return left === undefined ? -1 : 1;
    const difference = RANK[right.kind] - RANK[left.kind];
    if (difference !== 0) return difference;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}

/**
 * Selects the route for `method` and `path` (the path under the stage, still percent-encoded): the most
 * specific `METHOD /path` or `ANY /path` that matches, else `$default`, else none (API Gateway's 404).
 */
export function selectRoute<R extends { readonly key: RouteKey }>(
  routes: readonly R[],
  method: string,
  path: string,
): RouteSelection<R> | undefined {
  const parts = segmentsOf(path);
  const upper = method.toUpperCase();
  const candidates: Array<{
    route: R;
    key: RouteKey & { kind: 'path' };
    pathParameters: Record<string, string>;
  }> = [];
  for (const route of routes) {
    const key = route.key;
    if (key.kind !== 'path' || (key.method !== upper && key.method !== 'ANY')) continue;
    const pathParameters = matchSegments(key.segments, parts);
    if (pathParameters !== undefined) candidates.push({ route, key, pathParameters });
  }
  candidates.sort((a, b) => compareSpecificity(a.key, b.key));
  const best = candidates[0];
  if (best !== undefined) return { route: best.route, pathParameters: best.pathParameters };
  const fallback = routes.find((route) => route.key.kind === 'default');
  return fallback === undefined ? undefined : { route: fallback, pathParameters: {} };
}
