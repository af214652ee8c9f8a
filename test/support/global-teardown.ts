import { rmSync } from 'node:fs';
import { RUN_DIRECTORY_VARIABLE } from './run-cache';

/** jest globalTeardown: removes the run's directory, so the next run (or `--watch` round) builds afresh. */
export default function globalTeardown(): void {
  const directory = process.env[RUN_DIRECTORY_VARIABLE];
  if (directory) rmSync(directory, { recursive: true, force: true });
  delete process.env[RUN_DIRECTORY_VARIABLE];
}
