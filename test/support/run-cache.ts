import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Names the directory of the jest run: set by test/support/global-setup.ts, inherited by every worker. */
export const RUN_DIRECTORY_VARIABLE = 'SAAS_ORDERS_TEST_RUN_DIR';

/** How long a suite waits for another one's build before it gives up (a synth on a loaded 2-core machine). */
const WAIT_LIMIT_MS = 10 * 60_000;
const POLL_MS = 200;

/** The directory of this jest run, shared by every worker; it is removed when the run ends. */
export function runDirectory(): string {
  const directory = process.env[RUN_DIRECTORY_VARIABLE];
  if (!directory) {
    throw new Error(
      `${RUN_DIRECTORY_VARIABLE} is not set: run this suite through the repository's jest config, whose globalSetup (test/support/global-setup.ts) creates the run's directory`,
    );
  }
  return directory;
}

/** Builds in this process, keyed by entry, so a suite asking twice waits on the same build. */
const building = new Map<string, Promise<string>>();

/**
 * The directory of entry `name` in this jest run, built by `build` once per run whichever suite or worker asks
 * first; the others wait for it. A failed build fails every suite that asks for it, with the build's error.
 * `name` is a file name: the variant's key (e.g. its context).
 */
export function buildOncePerRun(name: string, build: (directory: string) => Promise<void>): Promise<string> {
  const root = runDirectory();
  const key = `${root}/${name}`;
  let entry = building.get(key);
  if (entry === undefined) {
    entry = buildOrWait(root, name, build);
    building.set(key, entry);
  }
  return entry;
}

async function buildOrWait(
  root: string,
  name: string,
  build: (directory: string) => Promise<void>,
): Promise<string> {
  const directory = join(root, name);
  const done = `${directory}.done`;
  const failed = `${directory}.failed`;
  try {
    // mkdir is atomic: exactly one process creates the lock, and that one builds.
    mkdirSync(`${directory}.lock`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return waitFor(name, directory, done, failed);
  }
  try {
    mkdirSync(directory, { recursive: true });
    await build(directory);
  } catch (error) {
    writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  }
  writeFileSync(done, '');
  return directory;
}

async function waitFor(name: string, directory: string, done: string, failed: string): Promise<string> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    if (existsSync(done)) return directory;
    if (existsSync(failed)) {
      throw new Error(
        `building ${name} failed in another suite of this run:\n${readFileSync(failed, 'utf8')}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(`${name} was not built within ${WAIT_LIMIT_MS / 60_000} min by the suite building it`);
    }
    await sleep(POLL_MS);
  }
}
