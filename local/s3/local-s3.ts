import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import type { CorsRule } from './bucket-cors';
import { type BucketDefinition, bucketDefinitions } from './bucket-definitions';
import { deliverObjectEvent, s3TestEvent } from './bucket-notifications';
import { type S3Engine, startS3Engine } from './s3-engine';
import type { ObjectEvent } from './s3-front';

export interface LocalS3Options {
  readonly region: string;
  /** What functions sign with; pre-signed URLs and POST policies are verified against its secret. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Keeps buckets and objects across restarts (as files). @default in memory */
  readonly dataDir?: string;
  /** Port of the S3 endpoint. @default 0, a free one */
  readonly port?: number;
  /** @default stderr, prefixed `[s3]` */
  readonly log?: (line: string) => void;
}

/** Settings of a bucket created by hand (a handler test's), as a template's bucket would declare them. */
export interface BucketOptions {
  readonly cors?: readonly CorsRule[];
}

/**
 * S3 for the local cloud, or for an app's handler tests: the embedded engine behind its front (pre-signed URL
 * and POST policy verification, CORS, S3's XML errors), the template's buckets, and their notifications to
 * functions and queues. Knows no application: it serves any template's buckets.
 */
export class LocalS3 {
  private readonly client: S3Client;
  private readonly buckets = new Map<string, BucketDefinition>();
  private readonly listeners = new Set<(event: ObjectEvent) => void>();
  private sinks:
    | { readonly invoker: LambdaInvoker; readonly sendToQueue?: (arn: string, body: string) => Promise<void> }
    | undefined;

  private constructor(
    private readonly engine: S3Engine,
    private readonly options: LocalS3Options,
    private readonly log: (line: string) => void,
  ) {
    this.client = new S3Client({
      region: options.region,
      endpoint: engine.endpoint,
      credentials: options.credentials,
    });
  }

  /** Starts the engine; its endpoint is known from then on. */
  static async start(options: LocalS3Options): Promise<LocalS3> {
    const log = options.log ?? ((line: string) => process.stderr.write(`[s3] ${line}\n`));
    let self: LocalS3 | undefined;
    const engine = await startS3Engine({
      region: options.region,
      credentials: [options.credentials],
      bucketSettings: (name) => self?.buckets.get(name),
      onObjectEvent: (event) => self?.objectEvent(event),
      log,
      port: options.port ?? 0,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    self = new LocalS3(engine, options, log);
    return self;
  }

  /** `http://127.0.0.1:<port>`: SDK clients given it as `endpoint` address buckets path-style by themselves. */
  get endpoint(): string {
    return this.engine.endpoint;
  }

  /** What functions need to reach this S3 with an unmodified AWS SDK. */
  get functionEnvironment(): Record<string, string> {
    return { AWS_ENDPOINT_URL_S3: this.engine.endpoint };
  }

  /** The buckets created from the template (and by hand). */
  get definitions(): readonly BucketDefinition[] {
    return [...this.buckets.values()];
  }

  /** Creates a bucket by hand (a handler test's), with the settings a template's bucket would have. */
  async createBucket(name: string, options: BucketOptions = {}): Promise<void> {
    await this.ensureBucket(name);
    this.buckets.set(name, {
      stackName: '',
      logicalId: name,
      name,
      ...(options.cors ? { cors: options.cors } : {}),
      notifications: [],
      notApplied: [],
    });
  }

  /** Creates the template's buckets (a persisted engine keeps them and their objects) with their settings. */
  async createBuckets(model: LocalCloudModel): Promise<readonly BucketDefinition[]> {
    const definitions = bucketDefinitions(model);
    for (const definition of definitions) await this.ensureBucket(definition.name);
    const before = new Map(this.buckets);
    this.buckets.clear();
    for (const definition of definitions) this.buckets.set(definition.name, definition);
    // S3 tells a queue it starts delivering to with a test event.
    for (const definition of definitions) {
      const known = new Set(before.get(definition.name)?.notifications.map((rule) => rule.arn));
      for (const rule of definition.notifications) {
        if (rule.destination === 'sqs' && !known.has(rule.arn) && this.sinks?.sendToQueue) {
          await this.sinks
            .sendToQueue(rule.arn, s3TestEvent(definition.name))
            .catch((error: unknown) => this.log(`test event to ${rule.arn} not sent: ${String(error)}`));
        }
      }
    }
    return definitions;
  }

  /** Where notifications go from now on: functions through the invoker, queues through the SQS sender. */
  deliverTo(sinks: {
    readonly invoker: LambdaInvoker;
    readonly sendToQueue?: (arn: string, body: string) => Promise<void>;
  }): void {
    this.sinks = sinks;
  }

  /** Sees every object created or removed through the endpoint (a test waiting for an upload). */
  onObjectEvent(listener: (event: ObjectEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private objectEvent(event: ObjectEvent): void {
    for (const listener of this.listeners) listener(event);
    if (!this.sinks) return;
    deliverObjectEvent(this.buckets.get(event.bucket), event, this.options.region, {
      ...this.sinks,
      log: this.log,
    });
  }

  private async ensureBucket(name: string): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      if (!(error instanceof BucketAlreadyOwnedByYou) && (error as Error).name !== 'BucketAlreadyExists')
        throw error;
    }
  }

  /** Stops the engine. */
  async close(): Promise<void> {
    this.client.destroy();
    await this.engine.close();
  }
}
