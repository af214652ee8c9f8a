import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { LambdaInvocationError, type LambdaInvoker } from '../model';

/** What Task states reach: functions, and the endpoints of the cloud's other services. */
export interface TaskServices {
  readonly invoker: LambdaInvoker;
  readonly sendToQueue: (queueArn: string, body: string, messageGroupId?: string) => Promise<void>;
  /** `AWS_ENDPOINT_URL_*` of the cloud, by lowercased name (`sns`, `dynamodb`, `eventbridge`). */
  readonly endpoints: Readonly<Record<string, string>>;
  readonly region: string;
  readonly account: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** An error a Task fails with: its `name` is what `Retry` and `Catch` match (`ErrorEquals`). */
export class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Parameters_ = Record<string, unknown>;
/** Runs one Task state's call with its effective input (after `Parameters`); resolves to its result. */
export type TaskResource = (input: Parameters_, services: TaskServices) => Promise<unknown>;

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

async function invokeFunction(
  functionArn: string,
  payload: unknown,
  services: TaskServices,
): Promise<unknown> {
  try {
    return await services.invoker.invoke(functionArn, payload);
  } catch (error) {
    if (!(error instanceof LambdaInvocationError))
      throw new TaskError('Lambda.ServiceException', String(error));
    const document = (error as { payload?: { errorType?: string; errorMessage?: string } }).payload;
    // Step Functions names a function error by its errorType; the cause is Lambda's error document.
    throw new TaskError(
      document?.errorType ?? error.errorType,
      JSON.stringify(document ?? { errorMessage: error.message }),
    );
  }
}

function dynamodb(services: TaskServices): DynamoDBClient {
  return new DynamoDBClient({
    region: services.region,
    endpoint: services.endpoints.dynamodb,
    credentials: services.credentials,
  });
}

/** The queue ARN a `QueueUrl` names (`…/<account>/<name>`), whatever host it has. */
function queueArnOfUrl(url: string, services: TaskServices): string {
  const [account, name] = new URL(url).pathname.split('/').filter(Boolean);
  return `arn:aws:sqs:${services.region}:${account ?? services.account}:${name ?? ''}`;
}

/**
 * The Task resources a state machine may call locally, by `Resource` (a new integration is one entry): Lambda
 * (a function ARN, or `lambda:invoke` with its `{Payload, StatusCode}` result), SQS SendMessage, SNS Publish,
 * DynamoDB Put/Get/Update/DeleteItem and EventBridge PutEvents, all request-response. Not emulated: `.sync` and
 * `.waitForTaskToken` patterns, the `aws-sdk:*` integrations, activities.
 */
export const TASK_RESOURCES: Readonly<Record<string, TaskResource>> = {
  'arn:aws:states:::lambda:invoke': async (input, services) => ({
    ExecutedVersion: '$LATEST',
    Payload: (await invokeFunction(String(input.FunctionName), input.Payload ?? {}, services)) ?? null,
    StatusCode: 200,
  }),
  'arn:aws:states:::sqs:sendMessage': async (input, services) => {
    const body = text(input.MessageBody);
    await services.sendToQueue(
      queueArnOfUrl(String(input.QueueUrl), services),
      body,
      input.MessageGroupId === undefined ? undefined : String(input.MessageGroupId),
    );
    return { MessageId: randomUUID() };
  },
  'arn:aws:states:::sns:publish': async (input, services) => {
    const client = new SNSClient({
      region: services.region,
      endpoint: services.endpoints.sns,
      credentials: services.credentials,
    });
    try {
      const published = await client.send(
        new PublishCommand({
          TopicArn: String(input.TopicArn),
          Message: text(input.Message),
          ...(input.Subject === undefined ? {} : { Subject: String(input.Subject) }),
        }),
      );
      return { MessageId: published.MessageId };
    } finally {
      client.destroy();
    }
  },
  'arn:aws:states:::dynamodb:putItem': async (input, services) => {
    const { $metadata: _m, ...output } = await dynamodb(services).send(new PutItemCommand(input as never));
    return output;
  },
  'arn:aws:states:::dynamodb:getItem': async (input, services) => {
    const { $metadata: _m, ...output } = await dynamodb(services).send(new GetItemCommand(input as never));
    return output;
  },
  'arn:aws:states:::dynamodb:updateItem': async (input, services) => {
    const { $metadata: _m, ...output } = await dynamodb(services).send(new UpdateItemCommand(input as never));
    return output;
  },
  'arn:aws:states:::dynamodb:deleteItem': async (input, services) => {
    const { $metadata: _m, ...output } = await dynamodb(services).send(new DeleteItemCommand(input as never));
    return output;
  },
  'arn:aws:states:::events:putEvents': async (input, services) => {
    const entries = ((input.Entries as Parameters_[] | undefined) ?? []).map((entry) => ({
      ...entry,
      Detail: text(entry.Detail ?? {}),
    }));
    const answer = await fetch(services.endpoints.eventbridge ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({ Entries: entries }),
    });
    const result = (await answer.json()) as { FailedEntryCount?: number };
    if (!answer.ok) throw new TaskError('EventBridge.EventBridgeException', JSON.stringify(result));
    if (result.FailedEntryCount) throw new TaskError('EventBridge.FailedEntry', JSON.stringify(result));
    return result;
  },
};

/** The call a Task's `Resource` makes locally, or why it cannot be made. */
export function taskResource(resource: string): TaskResource | { readonly unsupported: string } {
  if (/^arn:aws:lambda:[^:]*:[^:]*:function:/.test(resource)) {
    return (input, services) => invokeFunction(resource, input, services);
  }
  const known = TASK_RESOURCES[resource];
  if (known) return known;
  return {
    unsupported: `Task resource ${resource} is not emulated (${Object.keys(TASK_RESOURCES).join(', ')}, function ARNs)`,
  };
}
