import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { LambdaInvocationError, type LambdaInvoker } from '../model';
import type { TargetDefinition } from './rule-definitions';

/** What a target delivery can reach. */
export interface TargetServices {
  readonly invoker: LambdaInvoker;
  readonly sendToQueue: (queueArn: string, body: string, messageGroupId?: string) => Promise<void>;
  /** The cloud's SNS endpoint (`AWS_ENDPOINT_URL_SNS`), if SNS is served. */
  readonly snsEndpoint?: string;
  /** The cloud's Step Functions endpoint (`AWS_ENDPOINT_URL_SFN`), if Step Functions is served. */
  readonly stepFunctionsEndpoint?: string;
  /** Puts an event on another bus of this cloud (a bus target). */
  readonly putOnBus: (busArn: string, event: Record<string, unknown>) => Promise<void>;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly log: (line: string) => void;
}

/** Delivers one input to one kind of target; throws when the delivery fails (EventBridge then retries). */
export type TargetDelivery = (
  target: TargetDefinition,
  input: string,
  event: Record<string, unknown>,
  services: TargetServices,
) => Promise<void>;

const parsedInput = (input: string): unknown => {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
};

/**
 * The target kinds EventBridge delivers to locally, by the service in the target's ARN. A new kind is one entry.
 * A Lambda target is invoked asynchronously: a function error is Lambda's to retry (not emulated), not a failed
 * delivery, so only an invocation that cannot be made counts against the rule's retry policy.
 */
export const TARGET_DELIVERIES: Readonly<Record<string, TargetDelivery>> = {
  lambda: async (target, input, _event, services) => {
    services.invoker.invoke(target.arn, parsedInput(input)).catch((error: unknown) => {
      const why = error instanceof LambdaInvocationError ? 'failed' : 'could not be invoked';
      services.log(
        `rule target ${target.arn} ${why}: ${String(error)} (Lambda's asynchronous retries are not emulated)`,
      );
    });
  },
  sqs: (target, input, _event, services) => services.sendToQueue(target.arn, input, target.messageGroupId),
  sns: async (target, input, _event, services) => {
    if (!services.snsEndpoint) throw new Error('SNS is not served by this cloud');
    const client = new SNSClient({
      region: services.region,
      endpoint: services.snsEndpoint,
      credentials: services.credentials,
    });
    try {
      await client.send(new PublishCommand({ TopicArn: target.arn, Message: input }));
    } finally {
      client.destroy();
    }
  },
  events: (target, _input, event, services) => services.putOnBus(target.arn, event),
  states: async (target, input, _event, services) => {
    if (!services.stepFunctionsEndpoint) throw new Error('Step Functions is not served by this cloud');
    const answer = await fetch(services.stepFunctionsEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.StartExecution',
      },
      body: JSON.stringify({ stateMachineArn: target.arn, input }),
    });
    if (!answer.ok) throw new Error(`StartExecution answered ${answer.status}: ${await answer.text()}`);
  },
};

/** The service of an ARN (`arn:aws:<service>:…`). */
export function serviceOfArn(arn: string): string {
  return arn.split(':')[2] ?? '';
}
