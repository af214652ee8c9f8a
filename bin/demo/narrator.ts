import { setTimeout as sleep } from 'node:timers/promises';
import { styleText } from 'node:util';

/** A step of the story that did not go as the product promises: the demo stops and exits non-zero. */
export class StepFailed extends Error {}

/** Fails the current step with `message` unless `condition` holds. */
export function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new StepFailed(message);
}

/** Colours only on a terminal, and never when NO_COLOR is set (styleText honours both with `validateStream`). */
function style(format: Parameters<typeof styleText>[0], text: string): string {
  return styleText(format, text, { stream: process.stdout });
}

/**
 * Tells the story one numbered step at a time: a title, what happened (each call with its status and time), a tick
 * or a cross. `paceMs` is the pause between steps, so a room can read along; tests run it at 0.
 */
export class Narrator {
  private stepNumber = 0;

  constructor(
    private readonly totalSteps: number,
    private readonly paceMs: number,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  /** Runs one step: prints its title, runs it, prints ✓ or ✗ with why (a failed step rethrows). */
  async step<T>(title: string, run: () => Promise<T>): Promise<T> {
    this.stepNumber += 1;
    this.out.write(`\n${style('bold', `${this.stepNumber}/${this.totalSteps}  ${title}`)}\n`);
    const started = performance.now();
    try {
      const result = await run();
      this.out.write(`   ${style('green', '✓')} ${Math.round(performance.now() - started)} ms\n`);
      if (this.paceMs > 0) await sleep(this.paceMs);
      return result;
    } catch (error) {
      this.out.write(`   ${style('red', '✗')} ${error instanceof Error ? error.message : String(error)}\n`);
      throw error;
    }
  }

  /** One line of what happened inside the current step. */
  say(text: string): void {
    this.out.write(`   ${text}\n`);
  }

  /** A call and its answer: `→ GET /orders  200  12 ms`. */
  call(method: string, path: string, status: number, ms: number, note = ''): void {
    const coloured = style(status < 400 ? 'cyan' : 'yellow', String(status));
    this.say(
      `→ ${method.padEnd(6)} ${path}  ${coloured}  ${Math.round(ms)} ms${note ? `  ${style('dim', note)}` : ''}`,
    );
  }
}
