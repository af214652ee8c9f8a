import type { ApiResourceNode, RestMethodDefinition } from './rest-api-definition';

/** A request matched to a resource and method. */
export interface RouteMatch {
  readonly resource: ApiResourceNode;
  readonly method: RestMethodDefinition;
  /** Path parameters, URL-decoded (`proxy` holds the rest of the path for `{proxy+}`). */
  readonly pathParameters: Record<string, string>;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function kindOf(node: ApiResourceNode): 0 | 1 | 2 {
  if (/^\{.+\+\}$/.test(node.pathPart)) return 2;
  if (/^\{.+\}$/.test(node.pathPart)) return 1;
  return 0;
}

function methodOf(node: ApiResourceNode, httpMethod: string): RestMethodDefinition | undefined {
  return node.methods.get(httpMethod) ?? node.methods.get('ANY');
}

/**
 * Every resource the path matches, most specific first: at each level a literal segment beats `{param}`,
 * which beats a greedy `{name+}` (which takes the rest of the path, at least one segment).
 */
function candidates(
  node: ApiResourceNode,
  segments: readonly string[],
  params: Record<string, string>,
): Omit<RouteMatch, 'method'>[] {
  const [head, ...rest] = segments;
  if (head === undefined) return [{ resource: node, pathParameters: params }];
  const children = [...node.children].sort((a, b) => kindOf(a) - kindOf(b));
  const found: Omit<RouteMatch, 'method'>[] = [];
  for (const child of children) {
    const kind = kindOf(child);
    if (kind === 0 && child.pathPart === head) {
      found.push(...candidates(child, rest, params));
    } else if (kind === 1) {
      found.push(...candidates(child, rest, { ...params, [child.pathPart.slice(1, -1)]: decode(head) }));
    } else if (kind === 2) {
      const name = child.pathPart.slice(1, -2);
      found.push({ resource: child, pathParameters: { ...params, [name]: segments.map(decode).join('/') } });
    }
  }
  return found;
}

/**
 * Matches `path` (stage already removed) and `httpMethod` against the resource tree. The most specific
 * resource that has the method (or ANY) wins; `undefined` means API Gateway's 403 "Missing Authentication Token".
 */
export function matchRoute(root: ApiResourceNode, httpMethod: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  for (const candidate of candidates(root, segments, {})) {
    const method = methodOf(candidate.resource, httpMethod.toUpperCase());
    if (method) return { ...candidate, method };
  }
  return undefined;
}
