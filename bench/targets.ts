/**
 * The figures `npm run bench` ends with: one line per target of issue 25, `<target>: <ratio> (goal <goal>)`, each a
 * ratio of two rates (or times) measured in the same run, so they mean something on a shared, noisy machine.
 */
export class Targets {
  private readonly lines: string[] = [];

  /** A ratio that should be at least `goal` (throughput against a baseline). */
  atLeast(target: string, ratio: number, goal: number): void {
    this.lines.push(`${target}: ${ratio.toFixed(2)} (goal ≥ ${goal}) ${ratio >= goal ? 'met' : 'NOT met'}`);
  }

  /** A ratio that should be at most `goal` (time or memory against a baseline). */
  atMost(target: string, ratio: number, goal: number): void {
    this.lines.push(`${target}: ${ratio.toFixed(2)} (goal ≤ ${goal}) ${ratio <= goal ? 'met' : 'NOT met'}`);
  }

  /** A target this run did not measure, and why. */
  skipped(target: string, why: string): void {
    this.lines.push(`${target}: not measured (${why})`);
  }

  print(out: NodeJS.WritableStream = process.stdout): void {
    out.write(`\n${this.lines.join('\n')}\n`);
  }
}
