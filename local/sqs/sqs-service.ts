import type { IamAuthority } from '../iam/call-authority';
import { sqsCall } from '../iam/sqs-calls';
import type { LocalService } from '../local-service';
import { LocalSqs } from './local-sqs';
import type { SqsRequestAuthorizer } from './sqs-trace-front';

/** Options of {@link sqsService}. */
export interface SqsServiceOptions {
  /** IAM: who may call what. @default every call is served */
  readonly iam?: IamAuthority;
}

/**
 * IAM's check of each request: SQS's AccessDenied (403; the JSON protocol's `__type` with the query protocol's
 * code in `x-amzn-query-error`, which the SDK reads), naming principal and action. SQS's messages spell the
 * action in lowercase (`sqs:sendmessage`).
 */
function iamCheck(iam: IamAuthority): SqsRequestAuthorizer {
  return (headers, url, operation, input) => {
    const model = iam.iamModel;
    if (iam.mode === 'off' || model === undefined) return undefined;
    const call = sqsCall(operation, input, model);
    const refusal = iam.authorize(iam.principalOfRequest(headers, url), call);
    if (!refusal) return undefined;
    const message = refusal.message.replaceAll(refusal.action, refusal.action.toLowerCase());
    return {
      status: 403,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AccessDenied;Sender' },
      body: Buffer.from(
        JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message }),
      ),
    };
  };
}

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
export function sqsService(options: SqsServiceOptions = {}): SqsService {
  let running: LocalSqs | undefined;
  let failureLog: (line: string) => void = (line) => process.stderr.write(`[sqs] ${line}\n`);
  const service: SqsService = {
    name: 'sqs',
    resourceTypes: {
      // Queue policies are the IAM service's (local/iam).
      emulated: ['AWS::SQS::Queue', 'AWS::Lambda::EventSourceMapping'],
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
      if (options.iam) sqs.authorizeWith(iamCheck(options.iam));
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
