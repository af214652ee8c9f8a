import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the copies of AWS's public event captures live (see SOURCES.md there for origin and licence). */
export const AWS_EVENTS_DIR = join(__dirname, '..', 'fixtures', 'aws-events');

/** One AWS event capture from test/fixtures/aws-events, parsed. */
export function awsEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(AWS_EVENTS_DIR, name), 'utf8')) as T;
}
