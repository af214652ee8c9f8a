import type { LocalService } from '../local-service';
import type { BucketDefinition } from './bucket-definitions';
import { LocalS3 } from './local-s3';

export interface S3ServiceOptions {
  /** Delivers bucket notifications to SQS queues (the SQS service's sender); without it they are logged. */
  readonly sendToQueue?: (queueArn: string, body: string) => Promise<void>;
}

/** One notice per bucket whose configuration is partly not applied locally. */
function notices(buckets: readonly BucketDefinition[]): string[] {
  return buckets.flatMap((bucket) => [
    ...(bucket.notApplied.length > 0
      ? [`bucket ${bucket.stackName}/${bucket.logicalId}: ${bucket.notApplied.join(', ')} not emulated`]
      : []),
    ...bucket.notifications
      .filter((rule) => rule.destination === 'sns' || rule.destination === 'eventbridge')
      .map(
        (rule) =>
          `bucket ${bucket.stackName}/${bucket.logicalId}: notifications to ${rule.destination === 'sns' ? `SNS topic ${rule.arn}` : 'EventBridge'} are not delivered`,
      ),
  ]);
}

/**
 * S3: an embedded endpoint (fauxqs's S3, in a worker thread, behind a front that verifies pre-signed URLs and
 * POST policies and answers CORS; objects kept under `--persist`) with the template's buckets, reached by
 * functions through `AWS_ENDPOINT_URL_S3`, and the buckets' notifications delivered to functions and queues.
 */
export function s3Service(options: S3ServiceOptions = {}): LocalService {
  return {
    name: 's3',
    resourceTypes: {
      emulated: ['AWS::S3::Bucket', 'Custom::S3BucketNotifications'],
      notEmulated: {
        'AWS::S3::BucketPolicy': 'bucket policies are accepted but not enforced (no IAM locally)',
      },
    },
    async bind(context) {
      const s3 = await LocalS3.start({
        region: context.region,
        credentials: context.credentials,
        port: context.servicePort(0),
        log: context.log,
        ...(context.dataDir ? { dataDir: context.dataDir } : {}),
      });
      return {
        templateEndpoints: { s3: s3.endpoint },
        functionEnv: s3.functionEnvironment,
        async start({ model, invoker }) {
          s3.deliverTo({ invoker, ...(options.sendToQueue ? { sendToQueue: options.sendToQueue } : {}) });
          const buckets = await s3.createBuckets(model);
          return {
            endpoints: [{ kind: 'S3', name: 's3', url: s3.endpoint }],
            notices: notices(buckets),
            // Same engine: new buckets are created, settings and notifications re-read; objects stay.
            reload: async (next) => {
              const reloaded = await s3.createBuckets(next.model);
              return { changed: ['buckets re-read'], notices: notices(reloaded) };
            },
          };
        },
        close: () => s3.close(),
      };
    },
  };
}
