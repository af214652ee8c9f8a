import * as z from 'zod';
import type { LocalCloudModel } from '../model';
import type { CorsRule } from './bucket-cors';

/** Where one notification configuration sends its events. */
export type NotificationDestination = 'lambda' | 'sqs' | 'sns' | 'eventbridge';

/** One notification configuration of a bucket, whichever way the template declares it. */
export interface NotificationRule {
  readonly destination: NotificationDestination;
  /** The function, queue or topic ARN. */
  readonly arn: string;
  /** Event patterns as S3 names them: `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, … */
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
  /** The configuration's id (`configurationId` of the records). */
  readonly id: string;
}

/** A bucket of the template, read once at start. */
export interface BucketDefinition {
  readonly stackName: string;
  readonly logicalId: string;
  readonly name: string;
  readonly cors?: readonly CorsRule[];
  readonly notifications: readonly NotificationRule[];
  /** Configuration the template sets that the local S3 does not apply (versioning, lifecycle rules, …). */
  readonly notApplied: readonly string[];
}

const strings = z.array(z.string()).optional();

const corsConfiguration = z.object({
  CorsRules: z.array(
    z.object({
      AllowedMethods: z.array(z.string()),
      AllowedOrigins: z.array(z.string()),
      AllowedHeaders: strings,
      ExposedHeaders: strings,
      MaxAge: z.union([z.number(), z.string()]).optional(),
    }),
  ),
});

const filterRules = z.array(z.object({ Name: z.string(), Value: z.string() })).optional();

/** The SDK's shape, which CDK's `Custom::S3BucketNotifications` carries (`PutBucketNotificationConfiguration`). */
const sdkNotificationConfiguration = z.object({
  LambdaFunctionConfigurations: z
    .array(
      z.object({
        Id: z.string().optional(),
        LambdaFunctionArn: z.string(),
        Events: z.array(z.string()),
        Filter: z.object({ Key: z.object({ FilterRules: filterRules }) }).optional(),
      }),
    )
    .optional(),
  QueueConfigurations: z
    .array(
      z.object({
        Id: z.string().optional(),
        QueueArn: z.string(),
        Events: z.array(z.string()),
        Filter: z.object({ Key: z.object({ FilterRules: filterRules }) }).optional(),
      }),
    )
    .optional(),
  TopicConfigurations: z
    .array(
      z.object({
        Id: z.string().optional(),
        TopicArn: z.string(),
        Events: z.array(z.string()),
        Filter: z.object({ Key: z.object({ FilterRules: filterRules }) }).optional(),
      }),
    )
    .optional(),
  EventBridgeConfiguration: z.unknown().optional(),
});

/** CloudFormation's own shape, on `AWS::S3::Bucket`'s `NotificationConfiguration` property. */
const cfnFilter = z.object({ S3Key: z.object({ Rules: filterRules }) }).optional();
const cfnNotificationConfiguration = z.object({
  LambdaConfigurations: z
    .array(z.object({ Event: z.string(), Function: z.string(), Filter: cfnFilter }))
    .optional(),
  QueueConfigurations: z
    .array(z.object({ Event: z.string(), Queue: z.string(), Filter: cfnFilter }))
    .optional(),
  TopicConfigurations: z
    .array(z.object({ Event: z.string(), Topic: z.string(), Filter: cfnFilter }))
    .optional(),
  EventBridgeConfiguration: z.unknown().optional(),
});

function keyFilter(rules: z.infer<typeof filterRules>): { prefix?: string; suffix?: string } {
  const of = (name: string) => rules?.find((rule) => rule.Name.toLowerCase() === name)?.Value;
  const prefix = of('prefix');
  const suffix = of('suffix');
  return { ...(prefix === undefined ? {} : { prefix }), ...(suffix === undefined ? {} : { suffix }) };
}

function sdkRules(config: z.infer<typeof sdkNotificationConfiguration>, where: string): NotificationRule[] {
  const rules: NotificationRule[] = [];
  const add = (
    destination: NotificationDestination,
    arn: string,
    events: string[],
    filter: z.infer<typeof filterRules>,
    id?: string,
  ) =>
    rules.push({ destination, arn, events, ...keyFilter(filter), id: id ?? `${where}-${rules.length + 1}` });
  for (const c of config.LambdaFunctionConfigurations ?? [])
    add('lambda', c.LambdaFunctionArn, c.Events, c.Filter?.Key.FilterRules, c.Id);
  for (const c of config.QueueConfigurations ?? [])
    add('sqs', c.QueueArn, c.Events, c.Filter?.Key.FilterRules, c.Id);
  for (const c of config.TopicConfigurations ?? [])
    add('sns', c.TopicArn, c.Events, c.Filter?.Key.FilterRules, c.Id);
  if (config.EventBridgeConfiguration !== undefined)
    rules.push({
      destination: 'eventbridge',
      arn: 'EventBridge',
      events: ['s3:*'],
      id: `${where}-eventbridge`,
    });
  return rules;
}

function cfnRules(config: z.infer<typeof cfnNotificationConfiguration>, where: string): NotificationRule[] {
  const rules: NotificationRule[] = [];
  const add = (
    destination: NotificationDestination,
    arn: string,
    event: string,
    filter: z.infer<typeof cfnFilter>,
  ) =>
    rules.push({
      destination,
      arn,
      events: [event],
      ...keyFilter(filter?.S3Key.Rules),
      id: `${where}-${rules.length + 1}`,
    });
  for (const c of config.LambdaConfigurations ?? []) add('lambda', c.Function, c.Event, c.Filter);
  for (const c of config.QueueConfigurations ?? []) add('sqs', c.Queue, c.Event, c.Filter);
  for (const c of config.TopicConfigurations ?? []) add('sns', c.Topic, c.Event, c.Filter);
  if (config.EventBridgeConfiguration !== undefined)
    rules.push({
      destination: 'eventbridge',
      arn: 'EventBridge',
      events: ['s3:*'],
      id: `${where}-eventbridge`,
    });
  return rules;
}

/** Bucket properties the local S3 accepts without applying, with what the notice calls them. */
const NOT_APPLIED: Readonly<Record<string, string>> = {
  VersioningConfiguration: 'versioning',
  ObjectLockEnabled: 'object lock',
  ObjectLockConfiguration: 'object lock',
  ReplicationConfiguration: 'replication',
  WebsiteConfiguration: 'website hosting',
  LifecycleConfiguration: 'lifecycle rules (objects never expire)',
  AccelerateConfiguration: 'transfer acceleration',
  IntelligentTieringConfigurations: 'intelligent tiering',
  InventoryConfigurations: 'inventory',
  LoggingConfiguration: 'access logging',
  MetricsConfigurations: 'request metrics',
  AnalyticsConfigurations: 'analytics',
};

function corsRules(raw: unknown, where: string): CorsRule[] | undefined {
  if (raw === undefined) return undefined;
  const parsed = corsConfiguration.safeParse(raw);
  if (!parsed.success) throw new Error(`${where}: CorsConfiguration is not valid: ${parsed.error.message}`);
  return parsed.data.CorsRules.map((rule) => ({
    allowedMethods: rule.AllowedMethods,
    allowedOrigins: rule.AllowedOrigins,
    allowedHeaders: rule.AllowedHeaders ?? [],
    exposedHeaders: rule.ExposedHeaders ?? [],
    ...(rule.MaxAge === undefined ? {} : { maxAge: Number(rule.MaxAge) }),
  }));
}

/**
 * The template's buckets: name (`Ref`), CORS rules, and notification configurations — from the bucket's own
 * `NotificationConfiguration` and from CDK's `Custom::S3BucketNotifications` resources (what
 * `bucket.addEventNotification` and `S3EventSource` synthesize), matched to their bucket by name.
 */
export function bucketDefinitions(model: LocalCloudModel): BucketDefinition[] {
  const extra = new Map<string, NotificationRule[]>();
  for (const resource of model.resources) {
    if (resource.type !== 'Custom::S3BucketNotifications') continue;
    const where = `${resource.stackName}/${resource.logicalId}`;
    const bucket = resource.properties.BucketName;
    const parsed = sdkNotificationConfiguration.safeParse(
      resource.properties.NotificationConfiguration ?? {},
    );
    if (typeof bucket !== 'string' || !parsed.success) {
      throw new Error(`${where}: BucketName or NotificationConfiguration is not valid`);
    }
    extra.set(bucket, [...(extra.get(bucket) ?? []), ...sdkRules(parsed.data, resource.logicalId)]);
  }
  return model.resources
    .filter((resource) => resource.type === 'AWS::S3::Bucket')
    .map((resource) => {
      const where = `${resource.stackName}/${resource.logicalId}`;
      const props = resource.properties;
      const own = cfnNotificationConfiguration.safeParse(props.NotificationConfiguration ?? {});
      if (!own.success)
        throw new Error(`${where}: NotificationConfiguration is not valid: ${own.error.message}`);
      const cors = corsRules(props.CorsConfiguration, where);
      const versioning = (props.VersioningConfiguration as { Status?: string } | undefined)?.Status;
      return {
        stackName: resource.stackName,
        logicalId: resource.logicalId,
        name: resource.physicalId,
        ...(cors ? { cors } : {}),
        notifications: [...cfnRules(own.data, resource.logicalId), ...(extra.get(resource.physicalId) ?? [])],
        notApplied: [
          ...new Set(
            Object.keys(props)
              .filter(
                (name) =>
                  name in NOT_APPLIED && !(name === 'VersioningConfiguration' && versioning !== 'Enabled'),
              )
              .map((name) => NOT_APPLIED[name] ?? name),
          ),
        ],
      };
    });
}
