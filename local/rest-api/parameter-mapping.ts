import { evaluateJsonPath } from '../vtl/json-path';

/** Values a `ResponseParameters` mapping expression may read. Header lookups are case-insensitive. */
export interface ParameterSources {
  readonly requestHeaders: Record<string, string>;
  readonly requestQuery: Record<string, string>;
  readonly requestPath: Record<string, string>;
  readonly stageVariables: Record<string, string>;
  readonly context: Record<string, unknown>;
  readonly integrationHeaders?: Record<string, string>;
  readonly integrationBody?: string;
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === lower)?.[1];
}

function dotted(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((current, key) => {
    if (current === null || typeof current !== 'object') return undefined;
    return (current as Record<string, unknown>)[key];
  }, value);
}

function bodyValue(body: string | undefined, jsonPath: string): string | undefined {
  if (body === undefined) return undefined;
  try {
    const value = evaluateJsonPath(JSON.parse(body) as unknown, `$.${jsonPath}`);
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * Evaluates one mapping expression of API Gateway's parameter mapping: `'static'`, `method.request.{header|
 * querystring|path}.X`, `integration.response.header.X`, `integration.response.body[.jsonPath]`,
 * `stageVariables.X`, `context.a.b`. Returns `undefined` when the source is absent (the header is then not set).
 */
export function resolveMappingExpression(expression: string, sources: ParameterSources): string | undefined {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return literal[1];
  const [, kind, rest = ''] =
    /^(method\.request\.header|method\.request\.querystring|method\.request\.path|integration\.response\.header|integration\.response\.body|stageVariables|context)\.?(.*)$/.exec(
      expression,
    ) ?? [];
  switch (kind) {
    case 'method.request.header':
      return header(sources.requestHeaders, rest);
    case 'method.request.querystring':
      return sources.requestQuery[rest];
    case 'method.request.path':
      return sources.requestPath[rest];
    case 'integration.response.header':
      return header(sources.integrationHeaders, rest);
    case 'integration.response.body':
      return rest === '' ? sources.integrationBody : bodyValue(sources.integrationBody, rest);
    case 'stageVariables':
      return sources.stageVariables[rest];
    case 'context': {
      const value = dotted(sources.context, rest);
      return value === undefined || value === null ? undefined : String(value);
    }
    default:
      return undefined;
  }
}

/**
 * Applies `ResponseParameters` whose keys start with `prefix` (e.g. `method.response.header.` or
 * `gatewayresponse.header.`) and returns the headers they set.
 */
export function mapResponseHeaders(
  parameters: Record<string, unknown> | undefined,
  prefix: string,
  sources: ParameterSources,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [target, expression] of Object.entries(parameters ?? {})) {
    if (!target.startsWith(prefix) || typeof expression !== 'string') continue;
    const value = resolveMappingExpression(expression, sources);
    if (value !== undefined) headers[target.slice(prefix.length)] = value;
  }
  return headers;
}
