import { randomUUID } from 'node:crypto';
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { batchOutcome } from '../event-sources/batch-item-failures';
import type { EventSourceMapping } from '../event-sources/event-source-mapping';
import type { LambdaInvoker } from '../model';

/** Lambda's defaults for Kinesis event sources, and the local poller's pace. */
export const KINESIS_ESM = {
  defaultBatchSize: 100,
  pollIntervalMs: 250,
  firstBackoffMs: 100,
  maxBackoffMs: 5000,
} as const;

/** A Kinesis record as Lambda hands it to a function (the `Records` of a Kinesis event). */
export interface KinesisEventRecord {
  readonly kinesis: {
    readonly kinesisSchemaVersion: '1.0';
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly data: string;
    readonly approximateArrivalTimestamp: number;
  };
  readonly eventSource: 'aws:kinesis';
  readonly eventVersion: '1.0';
  readonly eventID: string;
  readonly eventName: 'aws:kinesis:record';
  readonly invokeIdentityArn: string;
  readonly awsRegion: string;
  readonly eventSourceARN: string;
}

export interface KinesisPollerProps {
  readonly mapping: EventSourceMapping;
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly region: string;
  /** The function's execution role, which Lambda names in `invokeIdentityArn`. */
  readonly roleArn: string;
  readonly invoker: LambdaInvoker;
  readonly onFailure?: (destinationArn: string, note: Record<string, unknown>) => Promise<void>;
  readonly log: (line: string) => void;
}

/** What Lambda's Kinesis filters see: the record, with `data` decoded from base64 and parsed when it is JSON. */
function filterView(record: KinesisEventRecord): unknown {
  const text = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON: filters on `data` see the text.
  }
  return { ...record, data };
}

/**
 * One shard of one Kinesis event-source mapping, consumed as Lambda does (the same semantics as the DynamoDB
 * stream poller): batches in order from the starting position (TRIM_HORIZON, LATEST), the batching window,
 * filters, retries until success, `MaximumRetryAttempts` or `MaximumRecordAgeInSeconds` (then the batch is
 * discarded with a `KinesisBatchInfo` note to the on-failure destination), `BisectBatchOnFunctionError` and
 * `ReportBatchItemFailures` (retry from the lowest failed sequence number). Positions live in memory.
 */
export class KinesisShardPoller {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly props: KinesisPollerProps) {}

  private get name(): string {
    return `${this.props.mapping.stackName}/${this.props.mapping.logicalId}`;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  start(): void {
    if (this.props.mapping.enabled) {
      this.running = this.loop().catch((error: unknown) => {
        if (!this.stopped)
          this.props.log(`${this.name}: stopped polling ${this.props.shardId}: ${String(error)}`);
      });
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async loop(): Promise<void> {
    const { mapping, client, streamName, shardId } = this.props;
    const batchSize = mapping.batchSize ?? KINESIS_ESM.defaultBatchSize;
    const type = (mapping.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON') as ShardIteratorType;
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: type }),
      )
    ).ShardIterator;
    while (!this.stopped && iterator) {
      const batch: KinesisEventRecord[] = [];
      const deadline = Date.now() + mapping.batchingWindowSeconds * 1000;
      do {
        const got: GetRecordsCommandOutput = await client.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize - batch.length }),
        );
        iterator = got.NextShardIterator;
        batch.push(...(got.Records ?? []).map((record) => this.eventRecord(record)));
        if (batch.length < batchSize && !this.stopped) await this.sleep(KINESIS_ESM.pollIntervalMs);
      } while (!this.stopped && iterator && batch.length < batchSize && Date.now() < deadline);
      if (this.stopped || batch.length === 0) continue;
      const matching = batch.filter((record) => mapping.filter.matches(filterView(record)));
      if (matching.length > 0) await this.deliver(matching, 0);
    }
  }

  private eventRecord(record: KinesisRecord): KinesisEventRecord {
    const { props } = this;
    const sequenceNumber = record.SequenceNumber ?? '';
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.PartitionKey ?? '',
        sequenceNumber,
        data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
        approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${props.shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: props.roleArn,
      awsRegion: props.region,
      eventSourceARN: props.streamArn,
    };
  }

  /** Delivers until delivered or discarded (true) or stopped (false); bisected halves inherit `retries`. */
  private async deliver(records: readonly KinesisEventRecord[], retries: number): Promise<boolean> {
    const { mapping } = this.props;
    let pending = records;
    let attempt = retries;
    while (pending.length > 0 && !this.stopped) {
      const outcome = await this.invoke(pending);
      if (outcome.kind === 'success') return true;
      if (outcome.kind === 'partial') {
        const lowest = pending.findIndex((r) => outcome.failed.has(r.kinesis.sequenceNumber));
        pending = pending.slice(Math.max(0, lowest));
      } else if (mapping.bisectOnError && pending.length > 1) {
        const middle = Math.ceil(pending.length / 2);
        return (
          (await this.deliver(pending.slice(0, middle), attempt)) &&
          (await this.deliver(pending.slice(middle), attempt))
        );
      }
      attempt += 1;
      const error = outcome.kind === 'failure' ? outcome.reason : 'batch item failures reported';
      const exhausted = mapping.maximumRetryAttempts >= 0 && attempt > mapping.maximumRetryAttempts;
      const oldest = pending[0]?.kinesis.approximateArrivalTimestamp ?? 0;
      const tooOld =
        mapping.maximumRecordAgeSeconds >= 0 && Date.now() / 1000 - oldest > mapping.maximumRecordAgeSeconds;
      if (exhausted || tooOld) {
        await this.discard(
          pending,
          exhausted ? 'RetryAttemptsExhausted' : 'RecordAgeExceeded',
          attempt,
          error,
        );
        return true;
      }
      this.props.log(`${this.name}: batch of ${pending.length} failed, retrying: ${error}`);
      await this.sleep(Math.min(KINESIS_ESM.firstBackoffMs * 2 ** (attempt - 1), KINESIS_ESM.maxBackoffMs));
    }
    return pending.length === 0;
  }

  private async invoke(records: readonly KinesisEventRecord[]): Promise<ReturnType<typeof batchOutcome>> {
    const { mapping, invoker } = this.props;
    try {
      const result = await invoker.invoke(mapping.functionName, { Records: records });
      return batchOutcome(
        result,
        records.map((r) => r.kinesis.sequenceNumber),
        mapping.reportsBatchItemFailures,
      );
    } catch (error) {
      return { kind: 'failure', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  private async discard(
    records: readonly KinesisEventRecord[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    invokeCount: number,
    error: string,
  ): Promise<void> {
    const { mapping } = this.props;
    this.props.log(`${this.name}: batch of ${records.length} discarded (${condition}): ${error}`);
    const destination = mapping.onFailureDestination;
    if (!destination || !this.props.onFailure) return;
    const first = records[0];
    const last = records.at(-1);
    await this.props.onFailure(destination, {
      requestContext: {
        requestId: randomUUID(),
        functionArn: mapping.functionName,
        condition,
        approximateInvokeCount: invokeCount,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId: this.props.shardId,
        startSequenceNumber: first?.kinesis.sequenceNumber,
        endSequenceNumber: last?.kinesis.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date(
          (first?.kinesis.approximateArrivalTimestamp ?? 0) * 1000,
        ).toISOString(),
        approximateArrivalOfLastRecord: new Date(
          (last?.kinesis.approximateArrivalTimestamp ?? 0) * 1000,
        ).toISOString(),
        batchSize: records.length,
        streamArn: this.props.streamArn,
      },
    });
  }
}
