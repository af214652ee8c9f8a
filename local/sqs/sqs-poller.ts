import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { batchOutcome } from '../event-sources/batch-item-failures';
import type { EventSourceMapping } from '../event-sources/event-source-mapping';
import type { LambdaInvoker } from '../model';

/** Lambda's defaults and limits for SQS event sources. */
export const SQS_ESM = {
  defaultBatchSize: 10,
  /** Lambda starts with five concurrent pollers (and scales up; locally five is the ceiling). */
  pollers: 5,
  /** SQS returns at most ten messages per ReceiveMessage. */
  receiveMax: 10,
  longPollSeconds: 20,
  /** Lambda's synchronous invocation payload limit bounds one batch. */
  maxBatchBytes: 6 * 1024 * 1024,
} as const;

/** What the poller reports for each batch (for logs and tests). */
export interface SqsBatchReport {
  readonly mapping: string;
  readonly received: number;
  readonly filteredOut: number;
  readonly deleted: number;
  readonly failed: number;
  readonly error?: string;
}

export interface SqsPollerProps {
  readonly mapping: EventSourceMapping;
  readonly queueUrl: string;
  readonly region: string;
  readonly client: SQSClient;
  readonly invoker: LambdaInvoker;
  readonly onBatch?: (report: SqsBatchReport) => void;
}

/**
 * One SQS event-source mapping, polled as Lambda does: long polling, batches up to the batch size within the
 * batching window (and 6 MB), messages hidden for the queue's visibility timeout while the function runs,
 * deleted on success, left to reappear on failure (so SQS counts receives and redrives to the dead-letter queue
 * after `maxReceiveCount`), `ReportBatchItemFailures` as AWS defines it, and at most `MaximumConcurrency`
 * batches in flight.
 */
export class SqsPoller {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly batchSize: number;
  private readonly concurrency: number;

  constructor(private readonly props: SqsPollerProps) {
    this.batchSize = props.mapping.batchSize ?? SQS_ESM.defaultBatchSize;
    this.concurrency = Math.max(
      1,
      Math.min(props.mapping.maximumConcurrency ?? SQS_ESM.pollers, SQS_ESM.pollers),
    );
  }

  start(): void {
    if (!this.props.mapping.enabled) return;
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop());
  }

  /** Stops polling; batches already handed to the function finish first. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const batch = await this.collect();
        if (batch.length > 0) await this.deliver(batch);
      } catch (error) {
        if (this.stopped) return;
        this.report({ received: 0, filteredOut: 0, deleted: 0, failed: 0, error: describe(error) });
        // A failing endpoint must not become a hot loop.
        await sleep(1000, this.abort.signal);
      }
    }
  }

  /** Receives until the batch is full, the window has passed, or 6 MB is reached. */
  private async collect(): Promise<Message[]> {
    const windowMs = this.props.mapping.batchingWindowSeconds * 1000;
    const deadline = Date.now() + windowMs;
    const batch: Message[] = [];
    let bytes = 0;
    for (;;) {
      const remainingMs = deadline - Date.now();
      const waitSeconds =
        batch.length === 0
          ? SQS_ESM.longPollSeconds
          : Math.min(SQS_ESM.longPollSeconds, Math.ceil(remainingMs / 1000));
      const response = await this.props.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.props.queueUrl,
          MaxNumberOfMessages: Math.min(SQS_ESM.receiveMax, this.batchSize - batch.length),
          WaitTimeSeconds: Math.max(0, waitSeconds),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: this.abort.signal },
      );
      const overflow: Message[] = [];
      for (const message of response.Messages ?? []) {
        const size = Buffer.byteLength(message.Body ?? '');
        if (batch.length > 0 && bytes + size > SQS_ESM.maxBatchBytes) overflow.push(message);
        else {
          batch.push(message);
          bytes += size;
        }
      }
      if (overflow.length > 0) {
        await this.release(overflow);
        return batch;
      }
      if (batch.length >= this.batchSize || windowMs === 0 || Date.now() >= deadline || this.stopped) {
        return batch;
      }
    }
  }

  private async deliver(batch: Message[]): Promise<void> {
    const { mapping } = this.props;
    const records = batch.map((message) => this.record(message));
    const matching = records.filter((record) => mapping.filter.matches(filterView(record)));
    const unmatched = batch.filter((_, i) => !matching.includes(records[i] as SqsRecord));
    // Lambda deletes messages that match no filter: they are never delivered.
    if (unmatched.length > 0) await this.delete(unmatched);
    if (matching.length === 0) {
      this.report({
        received: batch.length,
        filteredOut: unmatched.length,
        deleted: unmatched.length,
        failed: 0,
      });
      return;
    }
    const delivered = batch.filter((m) => matching.some((r) => r.messageId === m.MessageId));
    let outcome: ReturnType<typeof batchOutcome>;
    try {
      const result = await this.props.invoker.invoke(mapping.functionName, { Records: matching });
      outcome = batchOutcome(
        result,
        matching.map((r) => r.messageId),
        mapping.reportsBatchItemFailures,
      );
    } catch (error) {
      outcome = { kind: 'failure', reason: describe(error) };
    }
    // Failed messages are left in flight: they reappear when their visibility timeout ends, as on AWS.
    const succeeded =
      outcome.kind === 'success'
        ? delivered
        : outcome.kind === 'partial'
          ? delivered.filter((m) => !outcome.failed.has(m.MessageId ?? ''))
          : [];
    if (succeeded.length > 0) await this.delete(succeeded);
    this.report({
      received: batch.length,
      filteredOut: unmatched.length,
      deleted: succeeded.length + unmatched.length,
      failed: delivered.length - succeeded.length,
      ...(outcome.kind === 'failure' ? { error: outcome.reason } : {}),
    });
  }

  private record(message: Message): SqsRecord {
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: { ...(message.Attributes ?? {}) },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          recordAttribute(value),
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.props.mapping.eventSourceArn,
      awsRegion: this.props.region,
    };
  }

  private async delete(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += SQS_ESM.receiveMax) {
      await this.props.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.props.queueUrl,
          Entries: messages.slice(i, i + SQS_ESM.receiveMax).map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle ?? '',
          })),
        }),
      );
    }
  }

  /** Makes messages visible again at once (they did not fit this batch). */
  private async release(messages: readonly Message[]): Promise<void> {
    await this.props.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: this.props.queueUrl,
        Entries: messages.map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
  }

  private report(counts: Omit<SqsBatchReport, 'mapping'>): void {
    this.props.onBatch?.({
      mapping: `${this.props.mapping.stackName}/${this.props.mapping.logicalId}`,
      ...counts,
    });
  }
}

/** One record of an SQS event, shaped like AWS's (see test/fixtures/aws-events/sqs_base.json). */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<string, unknown>;
  readonly md5OfBody: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

function recordAttribute(value: MessageAttributeValue): Record<string, unknown> {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined
      ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
      : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    dataType: value.DataType ?? 'String',
  };
}

/** What SQS filter patterns see: the record, with `body` parsed when it is JSON (AWS filters on its fields). */
function filterView(record: SqsRecord): unknown {
  try {
    return { ...record, body: JSON.parse(record.body) as unknown };
  } catch {
    return record;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
