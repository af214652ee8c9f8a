import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { LambdaInvoker, LocalCloudModel, LocalResource } from 'cdk-local-cloud/testing';
import { LocalSqs } from 'cdk-local-cloud/testing';
import { LIBRARY_ENV } from './test-env';

const REGION = LIBRARY_ENV.AWS_REGION;
const ACCOUNT = '123456789012';
const credentials = {
  accessKeyId: LIBRARY_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: LIBRARY_ENV.AWS_SECRET_ACCESS_KEY,
};

function queueResource(endpoint: string, name: string, properties: Record<string, unknown>): LocalResource {
  const url = `${endpoint}/${ACCOUNT}/${name}`;
  return {
    stackName: 'Test',
    logicalId: name,
    type: 'AWS::SQS::Queue',
    physicalId: url,
    properties: { QueueName: name, ...properties },
    attributes: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`, QueueName: name, QueueUrl: url },
  };
}

/** A jobs queue and its dead-letter queue on the local SQS engine (fauxqs), as the stateful stack shapes them. */
export interface JobsQueues {
  readonly sqs: LocalSqs;
  readonly client: SQSClient;
  /** A queue nobody polls: API tests count what was sent to it. */
  readonly inboxUrl: string;
  /** The queue the worker is polled from, through the local cloud's real event-source-mapping poller. */
  readonly workUrl: string;
  readonly deadLetterUrl: string;
  /** Messages waiting (visible or in flight) in a queue. */
  depth(url: string): Promise<number>;
  /** Receives what is visible in a queue (and hides it for a minute). */
  drain(url: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs with the queues and starts polling the work queue into `worker` (ReportBatchItemFailures, batch
 * of 10, redrive after `maxReceiveCount`), exactly as the local cloud polls the synthesized event source.
 */
export async function startJobsQueues(
  worker: (event: SQSEvent) => Promise<unknown>,
  { maxReceiveCount = 5, visibility = 30 } = {},
): Promise<JobsQueues> {
  const sqs = await LocalSqs.start({ region: REGION, credentials });
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  const dlq = queueResource(sqs.endpoint, 'JobsDeadLetters', {});
  const work = queueResource(sqs.endpoint, 'JobsWork', {
    VisibilityTimeout: visibility,
    RedrivePolicy: { deadLetterTargetArn: dlq.attributes.Arn, maxReceiveCount },
  });
  const inbox = queueResource(sqs.endpoint, 'JobsInbox', { VisibilityTimeout: 60 });
  const mapping: LocalResource = {
    stackName: 'Test',
    logicalId: 'WorkerMapping',
    type: 'AWS::Lambda::EventSourceMapping',
    physicalId: 'uuid-worker',
    properties: {
      FunctionName: 'job-worker',
      EventSourceArn: work.attributes.Arn,
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    },
    attributes: {},
  };
  const model: LocalCloudModel = {
    region: REGION,
    accountId: ACCOUNT,
    resources: [work, dlq, inbox, mapping],
  };
  await sqs.createQueues(model);
  const invoker: LambdaInvoker = { invoke: async (_fn, event) => worker(event as SQSEvent) };
  sqs.startEventSources(model, invoker);
  const client = new SQSClient({ region: REGION, endpoint: sqs.endpoint, credentials });
  return {
    sqs,
    client,
    inboxUrl: inbox.physicalId,
    workUrl: work.physicalId,
    deadLetterUrl: dlq.physicalId,
    async depth(url) {
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
      );
    },
    async drain(url) {
      const bodies: string[] = [];
      for (;;) {
        const { Messages } = await client.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
        );
        if (!Messages || Messages.length === 0) return bodies;
        bodies.push(...Messages.map((m) => m.Body ?? ''));
      }
    },
    async stop() {
      client.destroy();
      await sqs.close();
    },
  };
}

/**
 * Polls `probe` until it returns a value, or fails naming `what`. The default leaves room under the worker suites'
 * 60 s test timeout for a poison job's five deliveries on a loaded machine (they took over 25 s in a CI-like run).
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  ms = 50_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
