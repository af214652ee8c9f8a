import type { RequestFacts } from '../payload-v2-event';
import { parseQuery } from '../payload-v2-event';

function contextValue(facts: RequestFacts, name: string): string | undefined {
  const values: Record<string, string> = {
    routeKey: facts.routeKey,
    stage: facts.stage,
    requestId: facts.requestId,
    apiId: facts.apiId,
    accountId: facts.accountId,
    httpMethod: facts.request.method.toUpperCase(),
    path: facts.request.rawPath,
    'identity.sourceIp': facts.request.sourceIp,
  };
  const userAgent = facts.request.headers['user-agent']?.join(',');
  if (userAgent !== undefined) values['identity.userAgent'] = userAgent;
  return values[name];
}

/**
 * Reads one HTTP API identity source: `$request.header.X` (case-insensitive, repeated values comma-joined),
 * `$request.querystring.X`, `$context.X`, `$stageVariables.X`. Undefined when the request lacks it.
 */
export function readIdentitySource(expression: string, facts: RequestFacts): string | undefined {
  const readers: Array<[string, (name: string) => string | undefined]> = [
    ['$request.header.', (name) => facts.request.headers[name.toLowerCase()]?.join(',')],
    ['$request.querystring.', (name) => parseQuery(facts.request.rawQueryString)[name]?.join(',')],
    ['$context.', (name) => contextValue(facts, name)],
    ['$stageVariables.', (name) => facts.stageVariables[name]],
  ];
  for (const [prefix, read] of readers) {
    if (expression.startsWith(prefix)) return read(expression.slice(prefix.length));
  }
  return undefined;
}

/** Every identity source's value, or undefined when one is missing or empty (API Gateway then answers 401). */
export function readIdentitySources(
  expressions: readonly string[],
  facts: RequestFacts,
): string[] | undefined {
  const values: string[] = [];
  for (const expression of expressions) {
    const value = readIdentitySource(expression, facts);
    if (value === undefined || value.trim() === '') return undefined;
    values.push(value);
  }
  return values;
}
