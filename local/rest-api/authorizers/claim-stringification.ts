const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Claims that API Gateway renders as a date (Java `Date.toString()` in UTC) rather than a number. */
const DATE_CLAIMS = new Set(['exp', 'iat']);

const pad = (value: number) => String(value).padStart(2, '0');

/** Formats epoch seconds as API Gateway shows `exp`/`iat`: `Tue Jun 18 15:00:04 UTC 2024`. */
export function formatClaimDate(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${time} UTC ${date.getUTCFullYear()}`;
}

function stringifyClaim(name: string, value: unknown): string {
  if (DATE_CLAIMS.has(name) && typeof value === 'number') return formatClaimDate(value);
  if (Array.isArray(value)) return value.map((item) => stringifyClaim('', item)).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * `requestContext.authorizer.claims` of a REST API behind a Cognito authorizer: every claim a string,
 * `exp`/`iat` as dates, `auth_time` as its number, arrays such as `cognito:groups` joined with `,`.
 */
export function stringifyClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    claims[name] = stringifyClaim(name, value);
  }
  return claims;
}
