/**
 * Which of a function's output reaches the console. Lambda's own lines (START, END, REPORT), EMF metric blobs and
 * INFO logs are what a person running an app locally rarely wants to read on every request; warnings and errors are.
 */

/**
 * `all`: every line as it comes, as CloudWatch would hold it. `warnings`: entries at WARN and above as they come;
 * the rest of an invocation is held back and printed only if the invocation fails.
 */
export type FunctionLogs = 'all' | 'warnings';

const LEVELS: Readonly<Record<string, number>> = {
  TRACE: 10,
  DEBUG: 20,
  INFO: 30,
  NOTICE: 35,
  WARN: 40,
  WARNING: 40,
  ERROR: 50,
  CRITICAL: 60,
  FATAL: 60,
};
const WARN = 40;
const INFO = 30;

/** Lambda's text format (what the runtime's console writes): timestamp, request id, level, message. */
const TEXT_ENTRY = /^\d{4}-\d\d-\d\dT[^\t]+\t[^\t]*\t([A-Za-z]+)\t/;

/**
 * The level of a line that starts a log entry, or undefined for a line that continues the previous one (the rest of
 * a multi-line message or stack). Knows Lambda's text format, JSON entries with a `level` (Powertools, Lambda's JSON
 * format, pino's numbers) and EMF blobs (metrics: below INFO's notice).
 */
export function logLevelOf(line: string): number | undefined {
  const text = TEXT_ENTRY.exec(line);
  if (text?.[1] !== undefined) return LEVELS[text[1].toUpperCase()] ?? INFO;
  if (!line.startsWith('{')) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { level, _aws } = entry as { level?: unknown; _aws?: unknown };
  if (typeof level === 'number') return level;
  if (typeof level === 'string') return LEVELS[level.toUpperCase()] ?? INFO;
  return _aws === undefined ? INFO : LEVELS.DEBUG;
}

/**
 * The output of one invocation (or of an environment between invocations, which holds nothing back): passes on what
 * the mode shows, holds the rest until `end` says whether the invocation failed.
 */
export class InvocationLog {
  private held: string[] = [];
  /** The level of the entry the next continuation line belongs to. */
  private level = INFO;

  constructor(
    private readonly mode: FunctionLogs,
    private readonly write: (line: string) => void,
    /** False between invocations: there is no failure to wait for, so what is not shown is dropped. */
    private readonly hold = true,
  ) {}

  /** A line the runtime writes itself (INIT_START, START, END, REPORT): not the function's, never a warning. */
  platform(line: string): void {
    this.level = INFO;
    this.pass(line, INFO);
  }

  /** A line the function wrote. */
  line(line: string): void {
    // Everything is shown: no level to read (this runs for every line a function writes).
    if (this.mode === 'all') {
      this.write(line);
      return;
    }
    this.level = logLevelOf(line) ?? this.level;
    this.pass(line, this.level);
  }

  /** The invocation is over: a failed one prints everything held back, so its cause is on the console. */
  end(failed: boolean): void {
    const held = this.held;
    this.held = [];
    if (failed) for (const line of held) this.write(line);
  }

  private pass(line: string, level: number): void {
    if (this.mode === 'all' || level >= WARN) this.write(line);
    else if (this.hold) this.held.push(line);
  }
}
