import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TENANT_FILES } from '../shared/tenant-files';

export interface FilesBucketProps {
  /** Origins whose browsers may upload (POST) and download (GET) directly: the stage's allowed origins. */
  readonly allowedOrigins: readonly string[];
  /** Where "an upload arrived" is sent: the jobs queue, whose worker starts the upload's import. */
  readonly uploadsQueue: sqs.IQueue;
  /**
   * Days a tenant file (an upload, a report) is kept: every object under `tenants/` is transient (the orders an
   * upload carried are in the table once imported; a report can be run again).
   * @default 7
   */
  readonly expireAfterDays?: number;
}

/**
 * Tenant files, keyed `tenants/<tenantId>/uploads|reports/…`. Encrypted with S3-managed keys (SSE-S3): a KMS key
 * would add a per-request KMS call and grants for every function and for every browser upload through a
 * pre-signed POST (signed by the function, so it would need kms:GenerateDataKey), and would gain nothing here,
 * since no other account reads the bucket and the objects are short-lived. TLS only, no public access, CORS for
 * the stage's origins (browser uploads with the pre-signed POST, downloads of the pre-signed GET), and a
 * lifecycle that expires every tenant file and aborts unfinished multipart uploads. Server access logs go to a
 * bucket of their own.
 *
 * An object created under `tenants/` is announced on the jobs queue (S3 → SQS, in this stack with the queue, so
 * no stack depends on the other): the worker already has the queue's retries, backoff, dead-letter queue and
 * bounded concurrency, and it starts the import of the upload the key names.
 */
export class FilesBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: FilesBucketProps) {
    super(scope, id);
    const origins = [...props.allowedOrigins];
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'this is the access-log bucket of the files bucket; logging it too would log its own log writes',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'files/',
      cors: [
        {
          allowedOrigins: origins,
          // POST: the pre-signed upload form; GET/HEAD: following a pre-signed download.
          allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: 600,
        },
      ],
      lifecycleRules: [
        {
          id: 'expire-tenant-files',
          prefix: TENANT_FILES.root,
          expiration: Duration.days(props.expireAfterDays ?? 7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.SqsDestination(props.uploadsQueue),
      { prefix: TENANT_FILES.root },
    );
    // CloudFormation has no notification property that can name a queue whose policy is created in the same
    // stack, so CDK sets the notifications with a function of its own (one per stack).
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      Validations.of(child).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications handler (a deploy-time custom resource) writes its logs with the AWS-managed basic execution policy",
      });
    }
  }
}
