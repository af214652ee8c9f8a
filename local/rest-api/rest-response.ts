/** A response the REST emulator sends: header names as they should appear, each with its values. */
export interface RestResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

/** Sets `name` to one value, replacing any existing header of the same name in another casing. */
export function setHeader(headers: Record<string, string[]>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) delete headers[key];
  headers[name] = [value];
}

/** True when `headers` has `name` in any casing. */
export function hasHeader(headers: Record<string, string[]>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}

/** Picks the template whose content type matches `accept` best; application/json, else the first, otherwise. */
export function selectTemplate(
  templates: Record<string, unknown> | undefined,
  accept: string | undefined,
): { contentType: string; template: string } | undefined {
  const entries = Object.entries(templates ?? {}).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  if (entries.length === 0) return undefined;
  const wanted = (accept ?? '').split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
  const chosen =
    entries.find(([type]) => wanted.includes(type.toLowerCase())) ??
    entries.find(([type]) => type.toLowerCase() === 'application/json') ??
    entries[0];
  return chosen ? { contentType: chosen[0], template: chosen[1] } : undefined;
}
