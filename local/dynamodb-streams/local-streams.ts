import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore } from '../event-sources/checkpoints';
import { eventSourceMappings } from '../event-sources/event-source-mapping';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import { type RequestAuthorizer, StreamCapture, type StreamedTable } from './stream-capture';
import { StreamLog } from './stream-log';
import { type FailureDestination, type StreamBatchReport, StreamPoller } from './stream-poller';

export interface LocalStreamsOptions {
  /** The embedded DynamoDB engine the capture proxy fronts. */
  readonly engineEndpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly log?: (line: string) => void;
  readonly onBatch?: (report: StreamBatchReport) => void;
  /** Port of the capture proxy (the DynamoDB endpoint clients use). @default 0, a free one */
  readonly port?: number;
  /**
   * Where streams and the mappings' checkpoints are kept (`--persist`), so a restart resumes every mapping
   * where it stopped with the records it had not reached. @default none: streams live in memory
   */
  readonly dataDir?: string;
}

interface TableProperties {
  readonly KeySchema?: ReadonlyArray<{ AttributeName: string; KeyType: string }>;
  readonly StreamSpecification?: { StreamViewType?: string };
}

/**
 * DynamoDB Streams for the local cloud: a stream per table whose template enables one, fed by a capture
 * proxy in front of the engine (clients and functions use the proxy's endpoint), and one poller per stream
 * event-source mapping. Knows no application. Without a data directory streams live in memory (a restart
 * starts them empty); with one (`--persist`) each stream is an append-only file and each mapping's checkpoint
 * is saved after every batch, so a restart, even after a kill, resumes where the mappings stopped.
 */
export class LocalStreams {
  private pollers: StreamPoller[] = [];
  private logs = new Map<string, StreamLog>();

  private constructor(
    private readonly capture: StreamCapture,
    /** Where clients and functions reach DynamoDB (the capture proxy). */
    readonly endpoint: string,
    private readonly options: LocalStreamsOptions,
  ) {}

  /** Starts the capture proxy; until `configure`, writes pass through unrecorded. */
  static async start(options: LocalStreamsOptions): Promise<LocalStreams> {
    const capture = new StreamCapture(options.engineEndpoint);
    return new LocalStreams(capture, await capture.listen(options.port ?? 0), options);
  }

  /** Creates a stream for every table of the template that enables one (they start empty). */
  configure(model: LocalCloudModel): void {
    const tables = new Map<string, StreamedTable>();
    for (const log of this.logs.values()) log.close();
    this.logs = new Map();
    if (this.options.dataDir) mkdirSync(this.options.dataDir, { recursive: true });
    for (const resource of model.resources) {
      if (resource.type !== 'AWS::DynamoDB::Table' && resource.type !== 'AWS::DynamoDB::GlobalTable')
        continue;
      const props = resource.properties as TableProperties;
      const viewType = props.StreamSpecification?.StreamViewType;
      const streamArn = resource.attributes.StreamArn;
      if (!viewType || !streamArn) continue;
      const schema = props.KeySchema ?? [];
      const keySchema = [
        ...schema.filter((k) => k.KeyType === 'HASH'),
        ...schema.filter((k) => k.KeyType !== 'HASH'),
      ];
      const file = this.options.dataDir
        ? join(
            this.options.dataDir,
            `stream-${createHash('sha256').update(streamArn).digest('hex').slice(0, 16)}.jsonl`,
          )
        : undefined;
      const log = new StreamLog(streamArn, viewType, model.region, Date.now, file);
      this.logs.set(streamArn, log);
      tables.set(resource.physicalId, {
        tableName: resource.physicalId,
        keyAttributes: keySchema.map((k) => k.AttributeName),
        log,
      });
    }
    this.capture.setTables(tables);
  }

  /** Sets the check (IAM) every request to the DynamoDB endpoint passes before it is served. */
  authorizeWith(authorizer: RequestAuthorizer | undefined): void {
    this.capture.setAuthorizer(authorizer);
  }

  /** The stream of a table, by stream ARN (tests and tools read it). */
  stream(streamArn: string): StreamLog | undefined {
    return this.logs.get(streamArn);
  }

  /** Starts one poller per DynamoDB stream event-source mapping of the template. */
  startEventSources(model: LocalCloudModel, invoker: LambdaInvoker, onFailure?: FailureDestination): void {
    const checkpoints = new CheckpointStore(this.options.dataDir);
    for (const mapping of eventSourceMappings(model, 'dynamodb')) {
      const log = this.logs.get(mapping.eventSourceArn);
      if (!log) {
        this.options.log?.(
          `event source ${mapping.stackName}/${mapping.logicalId} reads ${mapping.eventSourceArn}, a table without a stream in the template: not polled`,
        );
        continue;
      }
      const poller = new StreamPoller({
        mapping,
        log,
        invoker,
        checkpoints,
        ...(onFailure ? { onFailure } : {}),
        ...(this.options.onBatch ? { onBatch: this.options.onBatch } : {}),
      });
      poller.start();
      this.pollers.push(poller);
    }
  }

  /** Stops every poller (in-flight batches finish); the capture proxy keeps serving (a reload). */
  async stopEventSources(): Promise<void> {
    await Promise.all(this.pollers.splice(0).map((p) => p.stop()));
  }

  async close(): Promise<void> {
    await this.stopEventSources();
    await this.capture.close();
    for (const log of this.logs.values()) log.close();
  }
}
