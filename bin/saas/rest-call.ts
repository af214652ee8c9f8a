import type { Target } from './target';
import { freshTokens } from './token-store';
import { withSlash } from './whoami';

/**
 * Calls the tenant REST API as the signed-in user (the stored ID token, refreshed when due) and answers the parsed
 * JSON; a refusal throws with the status and the API's message, as an operator's command line should say it.
 */
export async function callRestApi(
  target: Target,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown> | undefined> {
  const tokens = await freshTokens(target);
  const url = new URL(path, withSlash(target.output('RestApiUrl')));
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${tokens.idToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url.pathname} → ${response.status} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
}
