import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LambdaInvoker, LocalCloudModel, LocalResource } from '../../model';
import { LocalSqs } from '../../sqs/local-sqs';
import type { SqsBatchReport } from '../../sqs/sqs-poller';
import { awsEvent } from '../support/aws-events';

/**
 * The local SQS service against a hand-built template model: queues, redrive and one event-source mapping
 * per test, polled into a scripted function (an invoker of our own: the function's behaviour is the input).
 */
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local' };

let seq = 0;

function queue(endpoint: string, logicalId: string, properties: Record<string, unknown>): LocalResource {
  const name = `${logicalId}-${seq}`;
  const url = `${endpoint}/${ACCOUNT}/${name}`;
  return {
    stackName: 'App',
    logicalId,
    type: 'AWS::SQS::Queue',
    physicalId: url,
    properties: { QueueName: name, ...properties },
    attributes: {
      Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      QueueName: name,
      QueueUrl: url,
    },
  };
}

function mapping(source: LocalResource, properties: Record<string, unknown>): LocalResource {
  return {
    stackName: 'App',
    logicalId: `Mapping${seq}`,
    type: 'AWS::Lambda::EventSourceMapping',
    physicalId: `uuid-${seq}`,
    properties: { FunctionName: 'consumer', EventSourceArn: source.attributes.Arn, ...properties },
    attributes: {},
  };
}

interface Harness {
  /** The queue URL as the template resolves it (what a function or a client of the app would use). */
  readonly url: string;
  readonly client: SQSClient;
  readonly dlqUrl: string;
  readonly batches: Array<Array<Record<string, unknown>>>;
  readonly reports: SqsBatchReport[];
  stop(): Promise<void>;
}

interface HarnessOptions {
  readonly esm?: Record<string, unknown>;
  /** @default 3 */
  readonly maxReceiveCount?: number;
  /** Seconds. @default 1 */
  readonly visibility?: number;
  /** Bodies sent before polling starts, so the first receive takes them all in one batch. */
  readonly seed?: readonly string[];
}

/** A fresh engine and queue (DLQ after `maxReceiveCount`) polled into `handle`. */
async function harness(
  handle: (records: Array<Record<string, unknown>>) => unknown,
  { esm = {}, maxReceiveCount = 3, visibility = 1, seed = [] }: HarnessOptions = {},
): Promise<Harness> {
  seq += 1;
  const reports: SqsBatchReport[] = [];
  const local = await LocalSqs.start({ region: REGION, credentials, onBatch: (r) => reports.push(r) });
  const dlq = queue(local.endpoint, 'Dlq', {});
  const main = queue(local.endpoint, 'Jobs', {
    VisibilityTimeout: visibility,
    RedrivePolicy: { deadLetterTargetArn: dlq.attributes.Arn, maxReceiveCount },
  });
  const model: LocalCloudModel = {
    region: REGION,
    accountId: ACCOUNT,
    resources: [main, dlq, mapping(main, esm)],
  };
  const batches: Harness['batches'] = [];
  const invoker: LambdaInvoker = {
    invoke: async (_fn, event) => {
      const records = (event as { Records: Array<Record<string, unknown>> }).Records;
      batches.push(records);
      return handle(records);
    },
  };
  await local.createQueues(model);
  const client = new SQSClient({ region: REGION, endpoint: local.endpoint, credentials });
  if (seed.length > 0) {
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: main.physicalId,
        Entries: seed.map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
  }
  local.startEventSources(model, invoker);
  return {
    url: main.physicalId,
    client,
    dlqUrl: dlq.physicalId,
    batches,
    reports,
    stop: async () => {
      client.destroy();
      await local.close();
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function count(client: SQSClient, url: string): Promise<number> {
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
}

const keyTypes = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v]));

describe('local SQS event-source mappings', () => {
  it('hands the function records shaped like AWS capture and deletes the batch on success', async () => {
    const h = await harness(() => undefined);
    try {
      await h.client.send(
        new SendMessageCommand({
          QueueUrl: h.url,
          MessageBody: '{"job":1}',
          MessageAttributes: { tenant: { DataType: 'String', StringValue: 't1' } },
        }),
      );
      await until(() => h.batches.length === 1, 'one batch');
      const record = h.batches[0]?.[0] ?? {};
      const capture = awsEvent<{ Records: Array<Record<string, unknown>> }>('sqs_base.json').Records[0] ?? {};
      expect(Object.keys(record).sort()).toEqual(Object.keys(capture).sort());
      expect(keyTypes(record)).toEqual(keyTypes(capture));
      expect(record.body).toBe('{"job":1}');
      expect(record.eventSource).toBe('aws:sqs');
      expect(String(record.eventSourceARN)).toMatch(/^arn:aws:sqs:us-east-1:123456789012:Jobs-/);
      expect((record.attributes as Record<string, string>).ApproximateReceiveCount).toBe('1');
      expect((record.messageAttributes as Record<string, unknown>).tenant).toEqual({
        stringValue: 't1',
        stringListValues: [],
        binaryListValues: [],
        dataType: 'String',
      });
      await until(async () => (await count(h.client, h.url)) === 0, 'the queue to be empty');
      expect(h.reports.at(-1)).toMatchObject({ received: 1, deleted: 1, failed: 0 });
    } finally {
      await h.stop();
    }
  });

  it('gives records attributes.AWSTraceHeader when the message was sent with a trace header (system attribute, else the X-Amzn-Trace-Id header), and none otherwise', async () => {
    const h = await harness(() => undefined);
    const attributeTrace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const headerTrace = 'Root=1-6759e988-bd862e3fe1be46a994272794;Parent=63995c3f42cd8ad8;Sampled=0';
    try {
      await h.client.send(
        new SendMessageCommand({
          QueueUrl: h.url,
          MessageBody: 'by-attribute',
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: attributeTrace } },
        }),
      );
      const traced = new SendMessageBatchCommand({
        QueueUrl: h.url,
        Entries: [
          { Id: 'a', MessageBody: 'by-header' },
          {
            Id: 'b',
            MessageBody: 'attribute-wins',
            MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: attributeTrace } },
          },
        ],
      });
      traced.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { headers: Record<string, string> }).headers['X-Amzn-Trace-Id'] = headerTrace;
          return next(args);
        },
        { step: 'build' },
      );
      await h.client.send(traced);
      await h.client.send(new SendMessageCommand({ QueueUrl: h.url, MessageBody: 'untraced' }));
      await until(() => h.batches.flat().length === 4, 'four records');
      const traceOf = (body: string) =>
        (h.batches.flat().find((r) => r.body === body)?.attributes as Record<string, string> | undefined)
          ?.AWSTraceHeader;
      expect(traceOf('by-attribute')).toBe(attributeTrace);
      expect(traceOf('by-header')).toBe(headerTrace);
      expect(traceOf('attribute-wins')).toBe(attributeTrace);
      expect(traceOf('untraced')).toBeUndefined();
      // The other attributes keep the capture's shape.
      const capture = awsEvent<{ Records: Array<{ attributes: Record<string, string> }> }>('sqs_base.json');
      const traced0 = h.batches.flat().find((r) => r.body === 'by-attribute')?.attributes as Record<
        string,
        string
      >;
      for (const name of Object.keys(capture.Records[0]?.attributes ?? {}))
        expect(traced0[name]).toEqual(expect.any(String));
    } finally {
      await h.stop();
    }
  });

  it('redelivers only the records a ReportBatchItemFailures response names', async () => {
    const firstTime = (r: Record<string, unknown>) =>
      (r.attributes as Record<string, string>).ApproximateReceiveCount === '1';
    const h = await harness(
      (records) => ({
        batchItemFailures: records
          .filter((r) => r.body === 'bad' && firstTime(r))
          .map((r) => ({ itemIdentifier: r.messageId })),
      }),
      { esm: { FunctionResponseTypes: ['ReportBatchItemFailures'] }, seed: ['ok1', 'bad', 'ok2'] },
    );
    try {
      await until(() => h.batches.flat().filter((r) => r.body === 'bad').length === 2, 'the redelivery');
      await until(async () => (await count(h.client, h.url)) === 0, 'the queue to be empty');
      expect(h.batches[0]?.map((r) => r.body)).toEqual(['ok1', 'bad', 'ok2']);
      expect(h.batches.slice(1).map((b) => b.map((r) => r.body))).toEqual([['bad']]);
    } finally {
      await h.stop();
    }
  });

  it('redelivers the whole batch when the function throws or names a record not in the batch', async () => {
    let calls = 0;
    const h = await harness(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
        return { batchItemFailures: [] };
      },
      {
        esm: { FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } },
        maxReceiveCount: 5,
        seed: ['a', 'b'],
      },
    );
    try {
      await until(async () => calls >= 3 && (await count(h.client, h.url)) === 0, 'the third delivery');
      const receives = (body: string) =>
        h.batches
          .flat()
          .filter((r) => r.body === body)
          .map((r) => (r.attributes as Record<string, string>).ApproximateReceiveCount);
      // SQS may hand a redelivery back in one batch or two: what holds is that every record of each failed batch
      // (the throw, the unknown identifier) comes back, each with its receive count one higher.
      for (const [i, failed] of h.batches.slice(0, 2).entries()) {
        for (const record of failed) {
          const later = h.batches
            .slice(i + 1)
            .flat()
            .filter((r) => r.body === record.body);
          expect(later.length).toBeGreaterThan(0);
        }
      }
      for (const body of ['a', 'b']) {
        const counts = receives(body).map(Number);
        expect(counts).toEqual(counts.map((_, n) => n + 1));
        expect(counts.length).toBeGreaterThanOrEqual(2);
      }
      expect(h.reports.filter((r) => r.error).map((r) => r.error)).toEqual([
        expect.stringContaining('boom'),
        expect.stringContaining('not a record of this batch'),
      ]);
    } finally {
      await h.stop();
    }
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount receives', async () => {
    const h = await harness(
      () => {
        throw new Error('poison');
      },
      { maxReceiveCount: 2, seed: ['poison pill'] },
    );
    try {
      await until(async () => (await count(h.client, h.dlqUrl)) === 1, 'the message in the DLQ');
      const { Messages } = await h.client.send(new ReceiveMessageCommand({ QueueUrl: h.dlqUrl }));
      expect(Messages?.[0]?.Body).toBe('poison pill');
      expect(h.batches).toHaveLength(2);
      expect(await count(h.client, h.url)).toBe(0);
    } finally {
      await h.stop();
    }
  });

  it('deletes messages that match no filter without invoking the function', async () => {
    const h = await harness(() => undefined, {
      esm: { FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ['wanted'] } }) }] } },
      seed: ['{"kind":"wanted"}', '{"kind":"other"}', 'not json'],
    });
    try {
      await until(async () => (await count(h.client, h.url)) === 0, 'the queue to be empty');
      expect(h.batches.flat().map((r) => r.body)).toEqual(['{"kind":"wanted"}']);
      expect(h.reports).toEqual([expect.objectContaining({ received: 3, filteredOut: 2, deleted: 3 })]);
    } finally {
      await h.stop();
    }
  });

  it('keeps batches within the batch size and in-flight batches within MaximumConcurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const h = await harness(
      async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 100));
        inFlight -= 1;
      },
      { esm: { BatchSize: 3, ScalingConfig: { MaximumConcurrency: 2 } }, visibility: 5 },
    );
    try {
      for (let i = 0; i < 3; i++) {
        await h.client.send(
          new SendMessageBatchCommand({
            QueueUrl: h.url,
            Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `m${i}-${j}` })),
          }),
        );
      }
      await until(() => h.batches.flat().length === 30, 'all 30 messages');
      expect(Math.max(...h.batches.map((b) => b.length))).toBeLessThanOrEqual(3);
      expect(peak).toBeLessThanOrEqual(2);
      expect(new Set(h.batches.flat().map((r) => r.body)).size).toBe(30);
    } finally {
      await h.stop();
    }
  });
});
