import type { CallToAuthorize } from './call-authority';
import type { IamModel } from './iam-model';

/** Batch operations are authorized as the action they batch (IAM has no `sqs:SendMessageBatch`). */
const BATCHED: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/**
 * The IAM call one SQS request (JSON protocol) makes: `sqs:<Action>` on the queue's ARN (from its `QueueUrl`,
 * `<endpoint>/<account>/<name>`, or its `QueueName`), with the queue's policy as the resource-based policy.
 * Requests naming no queue (ListQueues) are authorized on `*`.
 */
export function sqsCall(operation: string, input: Record<string, unknown>, iam: IamModel): CallToAuthorize {
  const action = `sqs:${BATCHED[operation] ?? operation}`;
  const url = typeof input.QueueUrl === 'string' ? input.QueueUrl : undefined;
  const name = url?.split('/').at(-1) ?? (typeof input.QueueName === 'string' ? input.QueueName : undefined);
  if (name === undefined) return { action, resource: '*' };
  const resource = `arn:aws:sqs:${iam.region}:${iam.accountId}:${name}`;
  const policy = iam.queuePolicies.get(resource);
  return { action, resource, ...(policy ? { resourcePolicy: policy } : {}) };
}
