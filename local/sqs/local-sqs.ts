import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  QueueNameExists,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { eventSourceMappings } from '../event-sources/event-source-mapping';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import { inCreationOrder, type QueueDefinition, queueDefinitions, queueNameOfArn } from './queue-definitions';
import { type SqsEngine, startSqsEngine } from './sqs-engine';
import { type SqsBatchReport, SqsPoller } from './sqs-poller';
import type { SqsRequestAuthorizer } from './sqs-trace-front';

/** Resource types this service serves (queue policies are enforced by local/iam). */
export const SQS_RESOURCE_TYPES = ['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy'] as const;

/** The account the engine (fauxqs) puts in its ARNs, whatever account the template names. */
const ENGINE_ACCOUNT = '000000000000';

export interface LocalSqsOptions {
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Keeps queues and messages across restarts. @default in memory */
  readonly dataDir?: string;
  readonly log?: (line: string) => void;
  /** Sees every batch an event-source mapping hands over (tests, logs). */
  readonly onBatch?: (report: SqsBatchReport) => void;
  /** Port of the SQS endpoint. @default 0, a free one */
  readonly port?: number;
}

/**
 * SQS for the local cloud: the embedded engine, the template's queues (attributes and redrive policies), and
 * one poller per SQS event-source mapping. Knows no application: it serves any template's queues.
 */
export class LocalSqs {
  private readonly client: SQSClient;
  private pollers: SqsPoller[] = [];
  private queues: QueueDefinition[] = [];

  private constructor(
    private readonly engine: SqsEngine,
    private readonly options: LocalSqsOptions,
  ) {
    this.client = new SQSClient({
      region: options.region,
      endpoint: engine.endpoint,
      credentials: options.credentials,
    });
  }

  /** Starts the engine; its endpoint is known from then on (the template's queue URLs point at it). */
  static async start(options: LocalSqsOptions): Promise<LocalSqs> {
    const engine = await startSqsEngine({
      region: options.region,
      port: options.port ?? 0,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    return new LocalSqs(engine, options);
  }

  /** `http://127.0.0.1:<port>`. */
  get endpoint(): string {
    return this.engine.endpoint;
  }

  /** What functions need to reach this SQS with an unmodified AWS SDK. */
  get functionEnvironment(): Record<string, string> {
    return { AWS_ENDPOINT_URL_SQS: this.engine.endpoint };
  }

  /** Sets the check (IAM) every request to the SQS endpoint passes before it is served. */
  authorizeWith(authorizer: SqsRequestAuthorizer | undefined): void {
    this.engine.authorizeWith(authorizer);
  }

  /** The queues created from the template. */
  get definitions(): readonly QueueDefinition[] {
    return this.queues;
  }

  /** Creates the template's queues (a persisted engine keeps them; their attributes follow the template). */
  async createQueues(model: LocalCloudModel): Promise<void> {
    this.engine.setAppAccount(model.accountId);
    const engineArn = (name: string) => `arn:aws:sqs:${this.options.region}:${ENGINE_ACCOUNT}:${name}`;
    this.queues = inCreationOrder(queueDefinitions(model, engineArn));
    for (const queue of this.queues) {
      try {
        await this.client.send(
          new CreateQueueCommand({ QueueName: queue.name, Attributes: queue.attributes }),
        );
      } catch (error) {
        if (!(error instanceof QueueNameExists)) throw error;
        await this.client.send(
          new SetQueueAttributesCommand({ QueueUrl: this.urlOf(queue.name), Attributes: queue.attributes }),
        );
      }
    }
  }

  /** Starts polling every SQS event-source mapping of the template into its function. */
  startEventSources(model: LocalCloudModel, invoker: LambdaInvoker): void {
    for (const mapping of eventSourceMappings(model, 'sqs')) {
      const name = queueNameOfArn(mapping.eventSourceArn);
      if (!this.queues.some((q) => q.name === name)) {
        this.options.log?.(
          `[sqs] event source ${mapping.stackName}/${mapping.logicalId} reads queue ${name}, which the template does not define: not polled`,
        );
        continue;
      }
      const poller = new SqsPoller({
        mapping,
        queueUrl: this.urlOf(name),
        region: this.options.region,
        client: this.client,
        invoker,
        ...(this.options.onBatch ? { onBatch: this.options.onBatch } : {}),
      });
      poller.start();
      this.pollers.push(poller);
    }
  }

  /** Stops every poller (in-flight batches finish); the queues and their messages stay (a reload). */
  async stopEventSources(): Promise<void> {
    await Promise.all(this.pollers.splice(0).map((p) => p.stop()));
  }

  /** Sends one message to a queue named by ARN (an on-failure destination, a test). */
  async send(queueArn: string, body: string, messageGroupId?: string): Promise<void> {
    const name = queueNameOfArn(queueArn);
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.urlOf(name),
        MessageBody: body,
        // A FIFO queue needs a group, and a deduplication id unless it deduplicates by content.
        ...(name.endsWith('.fifo')
          ? { MessageGroupId: messageGroupId ?? 'default', MessageDeduplicationId: randomUUID() }
          : {}),
      }),
    );
  }

  /** The URL clients of the engine use for a queue (the engine resolves queues by name). */
  urlOf(queueName: string): string {
    return `${this.engine.endpoint}/${ENGINE_ACCOUNT}/${queueName}`;
  }

  /** Stops the pollers (in-flight batches finish), then the engine. */
  async close(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
    this.pollers = [];
    this.client.destroy();
    await this.engine.close();
  }
}
