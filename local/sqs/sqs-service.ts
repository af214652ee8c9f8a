import type { LocalService } from '../local-service';
import { LocalSqs } from './local-sqs';

/** The SQS service, with a sender other services use once it is bound (e.g. on-failure destinations). */
export interface SqsService extends LocalService {
  /** The engine's endpoint once bound (fauxqs also serves SNS there, for the SNS service); else undefined. */
  readonly engineEndpoint: () => string | undefined;
  /** Sends a message to a queue named by ARN (a FIFO one needs the group); fails before the service is bound. */
  readonly sendToQueue: (queueArn: string, body: string, messageGroupId?: string) => Promise<void>;
  /** An event-source mapping's on-failure destination: SQS queues get the note; other kinds are logged. */
  readonly failureDestination: (destinationArn: string, note: Record<string, unknown>) => Promise<void>;
}

/**
 * SQS: an embedded endpoint (fauxqs, in a worker thread; kept under `--persist`) with the template's queues
 * and redrive policies, reached by functions through `AWS_ENDPOINT_URL_SQS` (the template's queue URLs point
 * at it too), and a poller per SQS event-source mapping.
 */
export function sqsService(): SqsService {
  let running: LocalSqs | undefined;
  let failureLog: (line: string) => void = (line) => process.stderr.write(`[sqs] ${line}\n`);
  const service: SqsService = {
    name: 'sqs',
    resourceTypes: {
      emulated: ['AWS::SQS::Queue', 'AWS::Lambda::EventSourceMapping'],
      notEmulated: {
        'AWS::SQS::QueuePolicy': 'queue policies are accepted but not enforced (no IAM locally)',
      },
    },
    engineEndpoint: () => running?.endpoint,
    sendToQueue: async (queueArn, body, messageGroupId) => {
      if (!running) throw new Error('the SQS service is not bound yet');
      await running.send(queueArn, body, messageGroupId);
    },
    failureDestination: async (destinationArn, note) => {
      if (destinationArn.split(':')[2] === 'sqs') {
        await service.sendToQueue(destinationArn, JSON.stringify(note));
        return;
      }
      failureLog(
        `on-failure destination ${destinationArn} is not emulated; the note was: ${JSON.stringify(note)}`,
      );
    },
    async bind(context) {
      failureLog = context.log;
      const sqs = await LocalSqs.start({
        region: context.region,
        credentials: context.credentials,
        port: context.servicePort(0),
        ...(context.dataDir ? { dataDir: context.dataDir } : {}),
        log: context.log,
        onBatch: (report) => {
          if (report.error)
            context.log(`${report.mapping}: batch of ${report.received} failed: ${report.error}`);
        },
      });
      running = sqs;
      return {
        templateEndpoints: { sqs: sqs.endpoint },
        functionEnv: sqs.functionEnvironment,
        async start({ model, invoker }) {
          await sqs.createQueues(model);
          sqs.startEventSources(model, invoker);
          return {
            endpoints: [{ kind: 'SQS', name: 'sqs', url: sqs.endpoint }],
            // Same engine: queues are created or get the template's attributes; their messages stay.
            reload: async (next) => {
              await sqs.stopEventSources();
              await sqs.createQueues(next.model);
              sqs.startEventSources(next.model, invoker);
              return { changed: ['queues and event sources re-read'] };
            },
          };
        },
        async close() {
          running = undefined;
          await sqs.close();
        },
      };
    },
  };
  return service;
}
