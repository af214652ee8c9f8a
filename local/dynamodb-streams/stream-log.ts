import { createHash } from 'node:crypto';

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

/**
 * One table's stream: records in write order with increasing sequence numbers, kept for 24 hours. A single
 * shard locally (AWS splits streams into shards; order per item is what consumers may rely on, and one shard
 * keeps it trivially).
 */
export class StreamLog {
  private readonly records: Array<{ readonly at: number; readonly record: StreamRecord }> = [];
  private next = 1n;
  private waiters: Array<() => void> = [];

  constructor(
    readonly streamArn: string,
    readonly viewType: string,
    private readonly region: string,
    private readonly clock: () => number = Date.now,
  ) {}

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
    this.records.push({ at: now, record });
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
