import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from '../../shared/sqs';
import { MAX_RETRY_DELAY_SECONDS } from './environment';

/**
 * How long a message that failed on its `receiveCount`-th delivery stays hidden: 1, 2, 4, 8 … seconds (capped at
 * `maxDelaySeconds`),
 * instead of the queue's visibility timeout (sized for a worker that dies mid-job, 6× its timeout). A transient
 * fault gets a quick retry, a poison job reaches the dead-letter queue in seconds, not 5 × 6 minutes. After the
 * last allowed delivery it is 0: the next receive moves the message to the dead-letter queue at once.
 */
export function retryDelaySeconds(
  receiveCount: number,
  maxReceiveCount: number,
  maxDelaySeconds: number = MAX_RETRY_DELAY_SECONDS,
): number {
  if (receiveCount >= maxReceiveCount) return 0;
  return Math.min(2 ** Math.max(0, receiveCount - 1), maxDelaySeconds);
}

/** Sets when a received message is delivered again. */
export function createMessageVisibility(queueUrl: string, client: SQSClient = sqsClient) {
  return {
    async delay(receiptHandle: string, seconds: number): Promise<void> {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
}

export type MessageVisibility = ReturnType<typeof createMessageVisibility>;
