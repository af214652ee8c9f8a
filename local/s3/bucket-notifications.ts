import type { LambdaInvoker } from '../model';
import type { BucketDefinition, NotificationDestination, NotificationRule } from './bucket-definitions';
import { hostId } from './s3-errors';
import type { ObjectEvent } from './s3-front';

/** The owner id S3 puts in records (an account's canonical-user short form); fixed locally. */
const OWNER_ID = 'A3LOCALCLOUDOWNER';

/** Where a notification is delivered, by destination kind. */
export interface NotificationSinks {
  readonly invoker: LambdaInvoker;
  /** Sends a message to a queue named by ARN (the SQS service's sender). */
  readonly sendToQueue?: (queueArn: string, body: string) => Promise<void>;
  readonly log: (line: string) => void;
}

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`; an exact name matches itself. */
function eventMatches(pattern: string, eventName: string): boolean {
  const name = pattern.replace(/^s3:/, '');
  if (name === '*') return true;
  return name.endsWith(':*') ? eventName.startsWith(name.slice(0, -1)) : name === eventName;
}

/** Rules whose events, prefix and suffix the event satisfies. */
export function matchingRules(rules: readonly NotificationRule[], event: ObjectEvent): NotificationRule[] {
  return rules.filter(
    (rule) =>
      rule.events.some((pattern) => eventMatches(pattern, event.eventName)) &&
      (rule.prefix === undefined || event.key.startsWith(rule.prefix)) &&
      (rule.suffix === undefined || event.key.endsWith(rule.suffix)),
  );
}

/** The key as event records carry it: URL-encoded with `+` for spaces and slashes kept, as S3 writes it. */
export function recordKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

let sequence = 0n;
/** S3's `sequencer`: hexadecimal, growing with each event, so consumers can order events of one key. */
function sequencer(): string {
  sequence += 1n;
  return (BigInt(Date.now()) * 1000n + (sequence % 1000n)).toString(16).toUpperCase().padStart(18, '0');
}

/**
 * The event S3 delivers for one object event and one configuration (the shape of AWS's sample in
 * `test/fixtures/aws-events/s3_object-created.json`): `ObjectRemoved` records carry no size nor ETag.
 */
export function s3EventRecord(event: ObjectEvent, rule: NotificationRule, region: string) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: new Date().toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: event.principalId },
    requestParameters: { sourceIPAddress: event.sourceIp },
    responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': hostId(event.requestId) },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: rule.id,
      bucket: {
        name: event.bucket,
        ownerIdentity: { principalId: OWNER_ID },
        arn: `arn:aws:s3:::${event.bucket}`,
      },
      object: {
        key: recordKey(event.key),
        ...(event.size === undefined ? {} : { size: event.size }),
        ...(event.eTag === undefined ? {} : { eTag: event.eTag }),
        sequencer: sequencer(),
      },
    },
  };
}

type Deliver = (
  rule: NotificationRule,
  body: { Records: unknown[] },
  sinks: NotificationSinks,
) => Promise<void>;

/** How each destination kind receives events; a kind without an entry is logged as not emulated. */
const DELIVERIES: Partial<Record<NotificationDestination, Deliver>> = {
  // S3 invokes functions asynchronously: the request that made the object has already been answered.
  lambda: async (rule, body, sinks) => {
    await sinks.invoker.invoke(rule.arn, body);
  },
  sqs: async (rule, body, sinks) => {
    if (!sinks.sendToQueue) throw new Error('no local SQS to deliver to');
    await sinks.sendToQueue(rule.arn, JSON.stringify(body));
  },
};

/**
 * Delivers an object event to every matching configuration of its bucket, each in its own record set, after
 * the request that caused it has been answered (as S3 does). A failed delivery is logged, not retried.
 */
export function deliverObjectEvent(
  bucket: BucketDefinition | undefined,
  event: ObjectEvent,
  region: string,
  sinks: NotificationSinks,
): void {
  if (!bucket) return;
  for (const rule of matchingRules(bucket.notifications, event)) {
    const deliver = DELIVERIES[rule.destination];
    const what = `${event.eventName} s3://${event.bucket}/${event.key} → ${rule.destination} ${rule.arn}`;
    if (!deliver) {
      sinks.log(`${what}: ${rule.destination} notifications are not emulated, not delivered`);
      continue;
    }
    deliver(rule, { Records: [s3EventRecord(event, rule, region)] }, sinks).then(
      () => sinks.log(what),
      (error: unknown) =>
        sinks.log(`${what} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

/**
 * What S3 sends a queue when a notification configuration starts delivering to it: consumers see it first and
 * must skip it (it has no `Records`).
 */
export function s3TestEvent(bucketName: string): string {
  const requestId = Math.random().toString(16).slice(2, 18).toUpperCase();
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date().toISOString(),
    Bucket: bucketName,
    RequestId: requestId,
    HostId: hostId(requestId),
  });
}
