import { eventSourceMappings } from '../event-sources/event-source-mapping';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import { StreamCapture, type StreamedTable } from './stream-capture';
import { StreamLog } from './stream-log';
import { type FailureDestination, type StreamBatchReport, StreamPoller } from './stream-poller';

export interface LocalStreamsOptions {
  readonly model: LocalCloudModel;
  /** The embedded DynamoDB engine the capture proxy fronts. */
  readonly engineEndpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly log?: (line: string) => void;
  readonly onBatch?: (report: StreamBatchReport) => void;
}

interface TableProperties {
  readonly KeySchema?: ReadonlyArray<{ AttributeName: string; KeyType: string }>;
  readonly StreamSpecification?: { StreamViewType?: string };
}

/**
 * DynamoDB Streams for the local cloud: a stream per table whose template enables one, fed by a capture
 * proxy in front of the engine (clients and functions use the proxy's endpoint), and one poller per stream
 * event-source mapping. Knows no application. Streams live in memory: a restart starts them empty.
 */
export class LocalStreams {
  private pollers: StreamPoller[] = [];

  private constructor(
    private readonly capture: StreamCapture,
    readonly endpoint: string,
    private readonly logs: ReadonlyMap<string, StreamLog>,
    private readonly options: LocalStreamsOptions,
  ) {}

  static async start(options: LocalStreamsOptions): Promise<LocalStreams> {
    const tables = new Map<string, StreamedTable>();
    const logs = new Map<string, StreamLog>();
    for (const resource of options.model.resources) {
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
      const log = new StreamLog(streamArn, viewType, options.model.region);
      logs.set(streamArn, log);
      tables.set(resource.physicalId, {
        tableName: resource.physicalId,
        keyAttributes: keySchema.map((k) => k.AttributeName),
        log,
      });
    }
    const capture = new StreamCapture(options.engineEndpoint, tables, options.model.region, {
      ...options.credentials,
    });
    const endpoint = await capture.listen();
    return new LocalStreams(capture, endpoint, logs, options);
  }

  /** The stream of a table, by stream ARN (tests and tools read it). */
  stream(streamArn: string): StreamLog | undefined {
    return this.logs.get(streamArn);
  }

  /** Starts one poller per DynamoDB stream event-source mapping of the template. */
  startEventSources(invoker: LambdaInvoker, onFailure?: FailureDestination): void {
    for (const mapping of eventSourceMappings(this.options.model, 'dynamodb')) {
      const log = this.logs.get(mapping.eventSourceArn);
      if (!log) {
        this.options.log?.(
          `[dynamodb-streams] event source ${mapping.stackName}/${mapping.logicalId} reads ${mapping.eventSourceArn}, a table without a stream in the template: not polled`,
        );
        continue;
      }
      const poller = new StreamPoller({
        mapping,
        log,
        invoker,
        ...(onFailure ? { onFailure } : {}),
        ...(this.options.onBatch ? { onBatch: this.options.onBatch } : {}),
      });
      poller.start();
      this.pollers.push(poller);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
    this.pollers = [];
    await this.capture.close();
  }
}
