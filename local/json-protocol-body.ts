/**
 * A request's or answer's body in AWS's JSON protocol (`application/x-amz-json-1.0`) as the loopback fronts in
 * front of an engine read it: its JSON object, or `undefined` when the body is not one (not JSON, an array,
 * `null`), so the front passes the exchange through untouched and the engine answers as it would.
 */
export function jsonProtocolBody(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
