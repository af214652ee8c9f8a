import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a mapping has got to in its source: the last sequence number it is done with. */
interface Checkpoint {
  readonly eventSourceArn: string;
  readonly position: string;
}

/**
 * The checkpoints of event-source mappings that read a log (DynamoDB streams), so a restarted cloud resumes each
 * mapping where it stopped, as Lambda's pollers do, instead of at its starting position. In memory without a
 * directory; under `--persist`, one small JSON file replaced atomically (write, then rename) on every move, so a
 * kill at any instant leaves the previous or the new checkpoint, never half of one.
 */
export class CheckpointStore {
  private readonly checkpoints: Map<string, Checkpoint>;
  private readonly file: string | undefined;

  constructor(dir?: string) {
    this.file = dir ? join(dir, 'checkpoints.json') : undefined;
    if (dir) mkdirSync(dir, { recursive: true });
    this.checkpoints = new Map(
      this.file && existsSync(this.file)
        ? Object.entries(JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Checkpoint>)
        : [],
    );
  }

  /**
   * The position `mapping` had reached on `eventSourceArn`, or undefined: never saved, or saved for another
   * source (the template moved the mapping), which starts afresh at its starting position.
   */
  load(mapping: string, eventSourceArn: string): bigint | undefined {
    const saved = this.checkpoints.get(mapping);
    return saved && saved.eventSourceArn === eventSourceArn ? BigInt(saved.position) : undefined;
  }

  /** Records that `mapping` is done with everything up to `position`. */
  save(mapping: string, eventSourceArn: string, position: bigint): void {
    this.checkpoints.set(mapping, { eventSourceArn, position: position.toString() });
    if (!this.file) return;
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.checkpoints)));
    renameSync(temporary, this.file);
  }
}
