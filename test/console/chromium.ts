import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian and Ubuntu put their Chromium package's launcher, in the order we look. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/**
 * The Chromium the browser tests drive: `$CHROMIUM_PATH`, else the first of Debian's launchers on `$PATH`. Throws
 * (the suite fails, it never skips) with how to install one: playwright-core downloads no browser.
 */
export function chromiumExecutable(): string {
  const given = process.env.CHROMIUM_PATH;
  const candidates =
    given !== undefined && given !== ''
      ? [given]
      : (process.env.PATH ?? '/usr/bin')
          .split(delimiter)
          .flatMap((dir) => NAMES.map((name) => join(dir, name)));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    `no Chromium found (${given ? `CHROMIUM_PATH=${given} is not executable` : `looked for ${NAMES.join(', ')} on PATH`}): the console's browser tests need one. Install Debian's package: sudo apt-get update && sudo apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
  );
}
