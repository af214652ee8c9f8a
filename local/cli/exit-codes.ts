/**
 * The command line's exit codes (documented in README.md, "Exit codes"): a script can tell a bad command from a
 * broken app from a cloud that could not start.
 */
export const EXIT = {
  /** Stopped by Ctrl-C or SIGTERM, `--help`, or `--print-env` printed. */
  ok: 0,
  /** Anything unexpected (a bug: the message and stack are printed). */
  unexpected: 1,
  /** The command line is wrong: an unknown option, a missing or bad value. */
  usage: 2,
  /** The app did not synthesize (its output is printed once). */
  synthFailed: 3,
  /** `--strict`: the app declares resources no local service emulates. */
  notEmulated: 4,
  /** The cloud could not start (a port in use, an unreadable cloud assembly), or `--print-env` found none running. */
  startFailed: 5,
} as const;

/** An expected failure: its message is printed alone (no stack) and the process exits with `code`. */
export class CliExit extends Error {
  constructor(
    readonly code: (typeof EXIT)[keyof typeof EXIT],
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
