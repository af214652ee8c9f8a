import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the copies of AWS's public event captures live (see SOURCES.md there for origin and licence). */
export const AWS_EVENTS_DIR = join(__dirname, '..', 'fixtures', 'aws-events');

/** One AWS event capture from test/fixtures/aws-events, parsed. */
export function awsEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(AWS_EVENTS_DIR, name), 'utf8')) as T;
}

/**
 * Each key with the JSON type of its value, recursively for objects, keys sorted: what a consumer's parser
 * checks when it reads an event. Keys for which `opaque` is true keep only their own type, for the parts that
 * depend on the client or the token (headers, claims), not on the emulator.
 */
export function eventShape(value: unknown, opaque: (key: string) => boolean = () => false): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, opaque(k) ? typeof v : eventShape(v, opaque)]),
    );
  }
  return typeof value;
}
