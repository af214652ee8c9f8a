import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobType } from '../../shared/codecs/job-codec';
import { sqsClient } from '../../shared/sqs';
import type { JobMessage } from './job-message';

/** Hands jobs to the worker through the jobs queue. */
export function createJobQueue(queueUrl: string, client: SQSClient = sqsClient) {
  return {
    /** Sends the job's address; the type rides along as an attribute for filters and for reading the DLQ. */
    async send(message: JobMessage, type: JobType): Promise<void> {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          MessageAttributes: {
            tenantId: { DataType: 'String', StringValue: message.tenantId },
            jobType: { DataType: 'String', StringValue: type },
          },
        }),
      );
    },
  };
}

/** The jobs queue bound to its URL. */
export type JobQueue = ReturnType<typeof createJobQueue>;
