import type { IamAuthority } from '../iam/call-authority';
import { s3Calls, s3DeniedMessage } from '../iam/s3-calls';
import type { LocalService } from '../local-service';
import type { BucketDefinition } from './bucket-definitions';
import { LocalS3 } from './local-s3';
import type { SecretLookup } from './presigned-url';
import type { S3Authorizer } from './s3-front';

export interface S3ServiceOptions {
  /** Delivers bucket notifications to SQS queues (the SQS service's sender); without it they are logged. */
  readonly sendToQueue?: (queueArn: string, body: string) => Promise<void>;
  /**
   * The secret of an access key other than the local credentials (functions' own role sessions), so the URLs
   * and policies they pre-sign verify. @default only the local credentials
   */
  readonly secretOf?: SecretLookup;
  /**
   * IAM: each signed request is evaluated against the signer's policies and the bucket's policy (and the signing
   * keys of functions' and STS sessions verify). @default every signed request is served
   */
  readonly iam?: IamAuthority;
}

/** IAM's check of an S3 request: the signer's policies and the bucket's, for each call S3 authorizes. */
function s3Authorizer(iam: IamAuthority): S3Authorizer {
  return (accessKeyId, request) => {
    const model = iam.iamModel;
    if (iam.mode === 'off' || model === undefined) return undefined;
    const refusal = iam.authorizeAll(iam.principalOf(accessKeyId), s3Calls(request, model));
    return refusal && s3DeniedMessage(refusal.message);
  };
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
      // Bucket policies are the IAM service's (local/iam).
    },
    async bind(context) {
      const { iam } = options;
      const secretOf =
        options.secretOf ?? (iam ? (accessKeyId: string) => iam.secretOf(accessKeyId) : undefined);
      const s3 = await LocalS3.start({
        region: context.region,
        credentials: context.credentials,
        port: context.servicePort(0),
        log: context.log,
        ...(secretOf ? { secretOf } : {}),
        ...(iam ? { authorize: s3Authorizer(iam) } : {}),
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
