import { randomUUID } from 'node:crypto';
import { batchOutcome } from '../event-sources/batch-item-failures';
import type { CheckpointStore } from '../event-sources/checkpoints';
import type { EventSourceMapping } from '../event-sources/event-source-mapping';
import type { LambdaInvoker } from '../model';
import type { StreamLog, StreamRecord } from './stream-log';

/** Lambda's defaults for DynamoDB stream event sources. */
export const STREAM_ESM = {
  defaultBatchSize: 100,
  /** Stream pollers read about four times a second. */
  pollIntervalMs: 250,
  /** Retries of a failing batch back off from this, doubling, up to `maxBackoffMs`. */
  firstBackoffMs: 100,
  maxBackoffMs: 5000,
} as const;

/** Where a discarded batch is reported (the mapping's on-failure destination, an SQS queue or SNS topic). */
export type FailureDestination = (destinationArn: string, note: Record<string, unknown>) => Promise<void>;

export interface StreamBatchReport {
  readonly mapping: string;
  readonly records: number;
  readonly filteredOut: number;
  readonly outcome: 'success' | 'retry' | 'discarded';
  readonly error?: string;
}

export interface StreamPollerProps {
  readonly mapping: EventSourceMapping;
  readonly log: StreamLog;
  readonly invoker: LambdaInvoker;
  readonly onFailure?: FailureDestination;
  readonly onBatch?: (report: StreamBatchReport) => void;
  readonly clock?: () => number;
  /** Where the mapping's position is kept; a saved one is resumed from instead of the starting position. */
  readonly checkpoints?: CheckpointStore;
}

/**
 * One DynamoDB stream event-source mapping, consumed as Lambda does: batches in stream order from the
 * starting position, the batching window, filters (unmatched records are skipped, never retried), retries of
 * a failing batch until it succeeds, `MaximumRetryAttempts` or `MaximumRecordAgeInSeconds` is reached (then
 * the batch is discarded with a note to the on-failure destination), `BisectBatchOnFunctionError` (halves,
 * not counted as retries) and `ReportBatchItemFailures` (checkpoint before the lowest failed sequence number
 * and retry from it). The shard never moves past a batch until it is done, so one bad record blocks only
 * as long as the retry policy says.
 */
export class StreamPoller {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private position: bigint;
  private readonly clock: () => number;

  constructor(private readonly props: StreamPollerProps) {
    this.clock = props.clock ?? Date.now;
    const saved = props.checkpoints?.load(this.name, props.log.streamArn);
    // A checkpoint past the end belongs to a log that is gone (its file was removed): start as a new mapping.
    this.position =
      saved !== undefined && saved <= props.log.latest
        ? saved
        : props.mapping.startingPosition === 'LATEST'
          ? props.log.latest
          : props.log.horizon;
  }

  /** The mapping's name in checkpoints and reports. */
  private get name(): string {
    return `${this.props.mapping.stackName}/${this.props.mapping.logicalId}`;
  }

  start(): void {
    if (this.props.mapping.enabled) this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    const { mapping, log } = this.props;
    const batchSize = mapping.batchSize ?? STREAM_ESM.defaultBatchSize;
    while (!this.stopped) {
      let batch = log.read(this.position, batchSize);
      if (batch.length === 0) {
        await log.waitForRecords(STREAM_ESM.pollIntervalMs * 4, this.abort.signal);
        continue;
      }
      if (mapping.batchingWindowSeconds > 0 && batch.length < batchSize) {
        const deadline = this.clock() + mapping.batchingWindowSeconds * 1000;
        for (let left = deadline - this.clock(); batch.length < batchSize && left > 0 && !this.stopped; ) {
          await log.waitForRecords(left, this.abort.signal);
          left = deadline - this.clock();
          batch = log.read(this.position, batchSize);
        }
      }
      if (this.stopped) return;
      await this.process(batch);
    }
  }

  /** Takes one batch to completion (success or discard); moves the checkpoint past it. */
  private async process(batch: readonly StreamRecord[]): Promise<void> {
    const { mapping } = this.props;
    const matching = batch.filter((record) => mapping.filter.matches(record));
    const filteredOut = batch.length - matching.length;
    const last = batch.at(-1);
    let done = true;
    if (matching.length === 0) {
      this.report({ records: batch.length, filteredOut, outcome: 'success' });
    } else {
      done = await this.deliver(matching, 0, filteredOut);
    }
    // A batch cut short by a stop is not done: a restarted poller delivers it again (at least once).
    if (!last || !done) return;
    this.position = BigInt(last.dynamodb.SequenceNumber);
    this.props.checkpoints?.save(this.name, this.props.log.streamArn, this.position);
  }

  /**
   * Delivers `records` until done (delivered or discarded: true) or stopped (false); `retries` counts attempts
   * so far (bisected halves inherit it).
   */
  private async deliver(
    records: readonly StreamRecord[],
    retries: number,
    filteredOut: number,
  ): Promise<boolean> {
    const { mapping } = this.props;
    let pending = records;
    let attempt = retries;
    while (pending.length > 0 && !this.stopped) {
      const outcome = await this.invoke(pending);
      if (outcome.kind === 'success') {
        this.report({ records: pending.length, filteredOut, outcome: 'success' });
        return true;
      }
      if (outcome.kind === 'partial') {
        // Everything before the lowest failed record is done; retry from it.
        const lowest = pending.findIndex((r) => outcome.failed.has(r.dynamodb.SequenceNumber));
        pending = pending.slice(Math.max(0, lowest));
      } else if (mapping.bisectOnError && pending.length > 1) {
        const middle = Math.ceil(pending.length / 2);
        this.report({ records: pending.length, filteredOut, outcome: 'retry', error: outcome.reason });
        return (
          (await this.deliver(pending.slice(0, middle), attempt, 0)) &&
          (await this.deliver(pending.slice(middle), attempt, 0))
        );
      }
      attempt += 1;
      const error = outcome.kind === 'failure' ? outcome.reason : 'batch item failures reported';
      const exhausted = mapping.maximumRetryAttempts >= 0 && attempt > mapping.maximumRetryAttempts;
      const oldest = pending[0]?.dynamodb.ApproximateCreationDateTime ?? 0;
      const tooOld =
        mapping.maximumRecordAgeSeconds >= 0 &&
        this.clock() / 1000 - oldest > mapping.maximumRecordAgeSeconds;
      if (exhausted || tooOld) {
        await this.discard(
          pending,
          exhausted ? 'RetryAttemptsExhausted' : 'RecordAgeExceeded',
          attempt,
          error,
        );
        return true;
      }
      this.report({ records: pending.length, filteredOut, outcome: 'retry', error });
      const backoff = Math.min(STREAM_ESM.firstBackoffMs * 2 ** (attempt - 1), STREAM_ESM.maxBackoffMs);
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
    return pending.length === 0;
  }

  private async invoke(records: readonly StreamRecord[]): Promise<ReturnType<typeof batchOutcome>> {
    const { mapping, invoker } = this.props;
    try {
      const result = await invoker.invoke(mapping.functionName, { Records: records });
      return batchOutcome(
        result,
        records.map((r) => r.dynamodb.SequenceNumber),
        mapping.reportsBatchItemFailures,
      );
    } catch (error) {
      return { kind: 'failure', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Drops a batch for good and, when the mapping has one, tells its on-failure destination which records. */
  private async discard(
    records: readonly StreamRecord[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    invokeCount: number,
    error: string,
  ): Promise<void> {
    const { mapping, log } = this.props;
    this.report({ records: records.length, filteredOut: 0, outcome: 'discarded', error });
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
      timestamp: new Date(this.clock()).toISOString(),
      DDBStreamBatchInfo: {
        shardId: log.shardId,
        startSequenceNumber: first?.dynamodb.SequenceNumber,
        endSequenceNumber: last?.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: new Date(
          (first?.dynamodb.ApproximateCreationDateTime ?? 0) * 1000,
        ).toISOString(),
        approximateArrivalOfLastRecord: new Date(
          (last?.dynamodb.ApproximateCreationDateTime ?? 0) * 1000,
        ).toISOString(),
        batchSize: records.length,
        streamArn: log.streamArn,
      },
    });
  }

  private report(counts: Omit<StreamBatchReport, 'mapping'>): void {
    this.props.onBatch?.({
      mapping: this.name,
      ...counts,
    });
  }
}
