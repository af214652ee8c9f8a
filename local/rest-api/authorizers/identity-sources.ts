import type { AuthorizationRequest } from '../rest-authorization';

/** Splits an authorizer's `IdentitySource` into its mapping expressions. */
export function identitySourceExpressions(identitySource: unknown): string[] {
  if (typeof identitySource !== 'string') return [];
  return identitySource
    .split(',')
    .map((expression) => expression.trim())
    .filter((expression) => expression !== '');
}

function last(values: readonly string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values[values.length - 1];
}

function contextValue(request: AuthorizationRequest, name: string): string | undefined {
  const values: Record<string, string> = {
    requestId: request.requestId,
    stage: request.stage,
    httpMethod: request.request.method,
    resourcePath: request.resourcePath,
    path: `/${request.stage}${request.request.path}`,
    apiId: request.restApiId,
    'identity.sourceIp': request.request.sourceIp,
  };
  const userAgent = last(request.request.headers['user-agent']);
  if (userAgent !== undefined) values['identity.userAgent'] = userAgent;
  return values[name];
}

/**
 * Reads one identity source (`method.request.header.X`, `method.request.querystring.X`,
 * `method.request.multivalueheader.X`, `method.request.multivaluequerystring.X`, `stageVariables.X`,
 * `context.X`). Header names match case-insensitively, as HTTP requires.
 */
export function readIdentitySource(expression: string, request: AuthorizationRequest): string | undefined {
  const headers = request.request.headers;
  const query = request.request.query;
  const prefixes: [string, (name: string) => string | undefined][] = [
    ['method.request.header.', (name) => last(headers[name.toLowerCase()])],
    ['method.request.multivalueheader.', (name) => headers[name.toLowerCase()]?.join(',')],
    ['method.request.querystring.', (name) => last(query[name])],
    ['method.request.multivaluequerystring.', (name) => query[name]?.join(',')],
    ['stageVariables.', (name) => request.stageVariables[name]],
    ['context.', (name) => contextValue(request, name)],
  ];
  for (const [prefix, read] of prefixes) {
    if (expression.startsWith(prefix)) return read(expression.slice(prefix.length));
  }
  return undefined;
}
