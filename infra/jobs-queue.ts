import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The job worker's timeout (infra/jobs.ts gives it to the function); the queue's visibility timeout is sized from
 * it. Defined here so the stateful stack need not import the capability.
 */
export const JOB_WORKER_TIMEOUT = Duration.seconds(60);

export interface JobsQueueProps {
  /**
   * How long a received message stays hidden: it must outlast the worker (see infra/jobs.ts, which checks
   * it is at least 6× the worker's timeout, as AWS recommends for SQS event sources).
   */
  readonly visibilityTimeout: Duration;
  /**
   * Deliveries before a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/**
 * The async jobs queue and its dead-letter queue: SQS-managed encryption at rest, TLS-only access policies,
 * redrive after `maxReceiveCount` deliveries, and the dead letters kept for the 14 days SQS allows.
 * Stateful (messages in flight outlive a deployment of the code), so it lives in the stateful stack.
 */
export class JobsQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: JobsQueueProps) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    this.visibilityTimeout = props.visibilityTimeout;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'this is the dead-letter queue; a dead-letter queue of its own would only move the messages again',
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      // Longer than a job's deadline (1 h), so a message is never lost before its job is settled.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
  }
}
