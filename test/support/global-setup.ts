import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIRECTORY_VARIABLE } from './run-cache';

/**
 * jest globalSetup: creates the run's directory, where what every suite would otherwise build for itself (the
 * product's cloud assembly, the infra templates) is built once (test/support/run-cache.ts). Workers are forked
 * after this runs, so they inherit the variable.
 */
export default function globalSetup(): void {
  process.env[RUN_DIRECTORY_VARIABLE] = mkdtempSync(join(tmpdir(), 'saas-orders-test-run-'));
}
