import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';

/** One change record of a DynamoDB stream, shaped like AWS's (see test/fixtures/aws-events/dynamodb-stream_base.json). */
export interface StreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: '1.1';
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Record<string, unknown>;
    readonly NewImage?: Record<string, unknown>;
    readonly OldImage?: Record<string, unknown>;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: string;
  };
  readonly eventSourceARN: string;
}

/** How long a stream keeps records, as DynamoDB Streams does. */
const RETENTION_MS = 24 * 60 * 60 * 1000;

interface Entry {
  readonly at: number;
  readonly record: StreamRecord;
}

/**
 * The entries of a persisted log still within retention. A kill in the middle of an append can leave a partial
 * last line: it was never acknowledged (the write's answer waits for the append), so it is dropped.
 */
function readEntries(file: string, oldest: number): { entries: Entry[]; dropped: boolean } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const entries: Entry[] = [];
  let dropped = false;
  for (const line of lines) {
    if (line === '') continue;
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch {
      dropped = true;
      continue;
    }
    if (entry.at >= oldest) entries.push(entry);
    else dropped = true;
  }
  return { entries, dropped };
}

/**
 * One table's stream: records in write order with increasing sequence numbers, kept for 24 hours. A single
 * shard locally (AWS splits streams into shards; order per item is what consumers may rely on, and one shard
 * keeps it trivially). With a `file` (under `--persist`) every record is also appended to it before the write
 * is answered, and a restarted log reads it back, so records a consumer had not reached survive a crash.
 */
export class StreamLog {
  private readonly records: Entry[] = [];
  private next = 1n;
  private waiters: Array<() => void> = [];
  private fd: number | undefined;

  constructor(
    readonly streamArn: string,
    readonly viewType: string,
    private readonly region: string,
    private readonly clock: () => number = Date.now,
    file?: string,
  ) {
    if (!file) return;
    if (existsSync(file)) {
      const { entries, dropped } = readEntries(file, this.clock() - RETENTION_MS);
      this.records.push(...entries);
      const last = entries.at(-1);
      if (last) this.next = BigInt(last.record.dynamodb.SequenceNumber) + 1n;
      // Expired or partial lines are left out of the file too, so it holds no more than the retention.
      if (dropped) {
        writeFileSync(`${file}.tmp`, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
        renameSync(`${file}.tmp`, file);
      }
    }
    this.fd = openSync(file, 'a');
  }

  /** Closes the log's file (a persisted log); records stay readable in memory. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** The shard id consumers see in failure notes. */
  readonly shardId = 'shardId-00000000000000000000-00000001';

  /** Appends a change; images are left out as the stream's view type says. */
  append(
    eventName: StreamRecord['eventName'],
    keys: Record<string, unknown>,
    oldImage: Record<string, unknown> | undefined,
    newImage: Record<string, unknown> | undefined,
  ): StreamRecord {
    const now = this.clock();
    const sequence = (this.next++).toString().padStart(21, '0');
    const withNew = this.viewType === 'NEW_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = this.viewType === 'OLD_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES';
    const images = {
      ...(withNew && newImage ? { NewImage: newImage } : {}),
      ...(withOld && oldImage ? { OldImage: oldImage } : {}),
    };
    const record: StreamRecord = {
      eventID: createHash('md5').update(`${this.streamArn}#${sequence}`).digest('hex'),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(now / 1000),
        Keys: keys,
        ...images,
        SequenceNumber: sequence,
        SizeBytes: Buffer.byteLength(JSON.stringify({ Keys: keys, ...images })),
        StreamViewType: this.viewType,
      },
      eventSourceARN: this.streamArn,
    };
    const entry = { at: now, record };
    // Synchronous: the capture proxy answers the write only after this returns, so what was acknowledged is in
    // the file (the operating system keeps it through a kill of this process).
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.records.push(entry);
    this.trim(now);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return record;
  }

  /** Sequence number a TRIM_HORIZON reader starts after (the oldest record kept, minus one). */
  get horizon(): bigint {
    const first = this.records[0];
    return first ? BigInt(first.record.dynamodb.SequenceNumber) - 1n : this.next - 1n;
  }

  /** Sequence number a LATEST reader starts after. */
  get latest(): bigint {
    return this.next - 1n;
  }

  /** Up to `limit` records after `position`, in order. */
  read(position: bigint, limit: number): StreamRecord[] {
    this.trim(this.clock());
    const out: StreamRecord[] = [];
    for (const { record } of this.records) {
      if (BigInt(record.dynamodb.SequenceNumber) > position) out.push(record);
      if (out.length === limit) break;
    }
    return out;
  }

  /**
   * Resolves when a record is appended, or after `ms`. A deadline already past (a loaded machine can get there
   * between a caller's check and its call) waits no time, rather than handing Node a negative delay.
   */
  waitForRecords(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private trim(now: number): void {
    while (this.records.length > 0 && now - (this.records[0]?.at ?? now) > RETENTION_MS) this.records.shift();
  }
}
