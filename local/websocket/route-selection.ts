/** The key of the route API Gateway falls back to when no route matches. */
export const DEFAULT_ROUTE_KEY = '$default';

const BODY_PATH = /^\$request\.body\.([A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)$/;

/** True when the expression is one this emulator evaluates (`$request.body.<path>`). */
export function isSupportedSelectionExpression(expression: string): boolean {
  return BODY_PATH.test(expression.trim());
}

/**
 * Evaluates a route selection expression `$request.body.<dotted.path>` against a text message: the value at
 * that path of the JSON body, stringified (numbers and booleans as JSON writes them). Returns undefined when
 * the body is not a JSON object, the path is missing or null, or the expression is not supported; the caller
 * then uses `$default`.
 */
export function selectRouteKey(expression: string, message: string): string | undefined {
  const path = BODY_PATH.exec(expression.trim())?.[1];
  if (path === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The route a message goes to: the exact route key the expression selects (never `$connect` or `$disconnect`,
 * which no message can reach), else `$default`, else none — API Gateway then answers "Forbidden".
 */
export function chooseRoute<T>(
  routes: ReadonlyMap<string, T>,
  expression: string,
  message: string | undefined,
): T | undefined {
  const key = message === undefined ? undefined : selectRouteKey(expression, message);
  const exact =
    key === undefined || key === '$connect' || key === '$disconnect' ? undefined : routes.get(key);
  return exact ?? routes.get(DEFAULT_ROUTE_KEY);
}
