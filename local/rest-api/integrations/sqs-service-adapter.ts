import {
  type MessageAttributeValue,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import type { AwsServiceAdapter, AwsServiceCall, AwsServiceReply } from './aws-service-call';

/** `MessageAttribute.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue` of the query API. */
function messageAttributes(params: URLSearchParams): Record<string, MessageAttributeValue> | undefined {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (let n = 1; params.has(`MessageAttribute.${n}.Name`); n++) {
    const name = params.get(`MessageAttribute.${n}.Name`) ?? '';
    const binary = params.get(`MessageAttribute.${n}.Value.BinaryValue`);
    attributes[name] = {
      DataType: params.get(`MessageAttribute.${n}.Value.DataType`) ?? 'String',
      ...(binary === null
        ? { StringValue: params.get(`MessageAttribute.${n}.Value.StringValue`) ?? '' }
        : { BinaryValue: Buffer.from(binary, 'base64') }),
    };
  }
  return Object.keys(attributes).length > 0 ? attributes : undefined;
}

/** The queue URL on the local engine: from `path/{account}/{queue}`, or a `QueueUrl` parameter of `action/SendMessage`. */
function queueUrl(call: AwsServiceCall, params: URLSearchParams): string | undefined {
  if (call.target.kind === 'path') return `${call.endpoint.replace(/\/+$/, '')}/${call.target.value}`;
  const given = params.get('QueueUrl');
  if (!given) return undefined;
  // Whatever host the template named, the queue is the one of that account and name on the local engine.
  const [account, name] = new URL(given).pathname.split('/').filter(Boolean);
  return account && name ? `${call.endpoint.replace(/\/+$/, '')}/${account}/${name}` : undefined;
}

function error(statusCode: number, code: string, message: string, requestId: string): AwsServiceReply {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Error: { Code: code, Message: message, Type: 'Sender' }, RequestId: requestId }),
  };
}

/**
 * SQS `SendMessage` through an `AWS` integration, in the query protocol the common CDK pattern uses
 * (`path/{account}/{queue}` with a form-encoded `Action=SendMessage&MessageBody=…` template, or
 * `action/SendMessage` with `QueueUrl`/`MessageBody` parameters). The embedded engine speaks only the JSON
 * protocol, so the call is translated, and the answer is the query protocol's JSON form
 * (`SendMessageResponse.SendMessageResult.MessageId`), which is what templates read.
 */
export const sqsServiceAdapter: AwsServiceAdapter = {
  unsupported(target) {
    if (target.kind === 'path' && /^[^/]+\/[^/]+$/.test(target.value)) return undefined;
    if (target.kind === 'action' && target.value === 'SendMessage') return undefined;
    return `sqs ${target.kind}/${target.value} is not emulated (SendMessage only: path/{account}/{queue} or action/SendMessage)`;
  },

  async call(call) {
    const requestId = crypto.randomUUID();
    const params = new URLSearchParams(call.body);
    for (const [name, value] of Object.entries(call.query)) params.set(name, value);
    const action = call.target.kind === 'action' ? call.target.value : params.get('Action');
    if (action !== 'SendMessage') {
      return error(
        400,
        'InvalidAction',
        `The action ${action ?? '(none)'} is not valid for this endpoint.`,
        requestId,
      );
    }
    const url = queueUrl(call, params);
    const body = params.get('MessageBody');
    if (!url || body === null) {
      return error(
        400,
        'MissingParameter',
        `The request must contain the parameter ${url ? 'MessageBody' : 'QueueUrl'}.`,
        requestId,
      );
    }
    const client = new SQSClient({
      region: call.region,
      endpoint: call.endpoint,
      credentials: call.credentials,
    });
    try {
      const delay = params.get('DelaySeconds');
      const sent = await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: body,
          ...(delay === null ? {} : { DelaySeconds: Number(delay) }),
          ...(params.has('MessageGroupId') ? { MessageGroupId: params.get('MessageGroupId') ?? '' } : {}),
          ...(params.has('MessageDeduplicationId')
            ? { MessageDeduplicationId: params.get('MessageDeduplicationId') ?? '' }
            : {}),
          MessageAttributes: messageAttributes(params),
        }),
        { abortSignal: call.signal },
      );
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: JSON.stringify({
          SendMessageResponse: {
            SendMessageResult: {
              MD5OfMessageAttributes: sent.MD5OfMessageAttributes ?? null,
              MD5OfMessageBody: sent.MD5OfMessageBody ?? null,
              MessageId: sent.MessageId ?? null,
              SequenceNumber: sent.SequenceNumber ?? null,
            },
            ResponseMetadata: { RequestId: requestId },
          },
        }),
      };
    } catch (caught) {
      if (!(caught instanceof SQSServiceException)) throw caught;
      return error(caught.$metadata.httpStatusCode ?? 400, caught.name, caught.message, requestId);
    } finally {
      client.destroy();
    }
  },
};
