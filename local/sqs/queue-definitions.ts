import type { LocalCloudModel, LocalResource } from '../model';

/** One queue of the template, as the engine creates it. */
export interface QueueDefinition {
  readonly stackName: string;
  readonly logicalId: string;
  readonly name: string;
  /** The queue's ARN as the template resolves it (event-source mappings and redrive policies name it). */
  readonly arn: string;
  /** The local queue URL the template's `Ref` resolves to. */
  readonly url: string;
  /** CreateQueue attributes (strings, as the SQS API takes them). */
  readonly attributes: Record<string, string>;
}

// CloudFormation property → SQS attribute, for the attributes that change behaviour locally.
const ATTRIBUTES: Record<string, string> = {
  DelaySeconds: 'DelaySeconds',
  MaximumMessageSize: 'MaximumMessageSize',
  MessageRetentionPeriod: 'MessageRetentionPeriod',
  ReceiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
  VisibilityTimeout: 'VisibilityTimeout',
  FifoQueue: 'FifoQueue',
  ContentBasedDeduplication: 'ContentBasedDeduplication',
  DeduplicationScope: 'DeduplicationScope',
  FifoThroughputLimit: 'FifoThroughputLimit',
};

/** The queue name inside an SQS ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function queueNameOfArn(arn: string): string {
  return arn.split(':').at(-1) ?? arn;
}

/**
 * The queues of the template. Redrive policies keep their `maxReceiveCount`; the dead-letter target is named
 * by queue name in the engine's own ARN form, since the engine keys queues by its account, not the template's.
 */
export function queueDefinitions(
  model: LocalCloudModel,
  engineArn: (queueName: string) => string,
): QueueDefinition[] {
  return model.resources
    .filter((r) => r.type === 'AWS::SQS::Queue')
    .map((resource) => queueDefinition(resource, engineArn));
}

function queueDefinition(resource: LocalResource, engineArn: (queueName: string) => string): QueueDefinition {
  const p = resource.properties;
  const attributes: Record<string, string> = {};
  for (const [property, attribute] of Object.entries(ATTRIBUTES)) {
    if (p[property] !== undefined) attributes[attribute] = String(p[property]);
  }
  const redrive = parseJsonProperty(p.RedrivePolicy) as
    | { deadLetterTargetArn?: string; maxReceiveCount?: number | string }
    | undefined;
  if (redrive?.deadLetterTargetArn) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: engineArn(queueNameOfArn(redrive.deadLetterTargetArn)),
      maxReceiveCount: Number(redrive.maxReceiveCount ?? 10),
    });
  }
  const name = resource.attributes.QueueName ?? resource.physicalId.split('/').at(-1) ?? resource.logicalId;
  return {
    stackName: resource.stackName,
    logicalId: resource.logicalId,
    name,
    arn: resource.attributes.Arn ?? '',
    url: resource.physicalId,
    attributes,
  };
}

function parseJsonProperty(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return value;
}

/**
 * Dead-letter queues first, so that every redrive target exists when the queue naming it is created (the
 * engine checks the target, as SQS does).
 */
export function inCreationOrder(queues: readonly QueueDefinition[]): QueueDefinition[] {
  const targets = new Set(
    queues.flatMap((q) => {
      const policy = q.attributes.RedrivePolicy;
      return policy
        ? [queueNameOfArn((JSON.parse(policy) as { deadLetterTargetArn: string }).deadLetterTargetArn)]
        : [];
    }),
  );
  return [...queues].sort((a, b) => Number(targets.has(b.name)) - Number(targets.has(a.name)));
}
