/** A refused call, with the API's own message (every 4xx of the APIs names what was wrong). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * A JSON API at `baseUrl`, authorized with the token `token` gives when there is one (asked before every call, so
 * an expired ID token is renewed first).
 */
export function jsonApi(baseUrl: string, token?: () => Promise<string>) {
  return async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    /** Shown the answer's headers (those CORS exposes) before its body is parsed. */
    onHeaders?: (headers: Headers) => void,
  ): Promise<T> => {
    const bearer =
      token === undefined
        ? undefined
        : await token().catch((caught: Error) => {
            throw new ApiError(401, caught.message);
          });
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch(() => {
      // A network failure, or an answer CORS hides from the page (gateway responses name one origin only).
      throw new ApiError(
        0,
        `${method} ${path}: no readable answer (offline, or the sign-in expired: sign in again)`,
      );
    });
    onHeaders?.(response.headers);
    const text = await response.text();
    const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (!response.ok) {
      throw new ApiError(response.status, `${response.status}: ${String(parsed.message ?? text)}`);
    }
    return parsed as T;
  };
}

/** A call to a JSON API. */
export type Api = ReturnType<typeof jsonApi>;
