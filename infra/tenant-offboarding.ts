import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { offboardingEnvironment } from '../services/offboarding/environment';
import { TENANT_FILES } from '../shared/tenant-files';
import { JobsQueue } from './jobs-queue';
import { ServiceFunction } from './service-function';
import type { TenantUsagePlans } from './usage-plans';

export interface TenantOffboardingProps {
  readonly table: dynamodb.ITable;
  readonly userPool: cognito.IUserPool;
  readonly usagePlans: TenantUsagePlans;
  /** The tenant files bucket: the export goes under the tenant's prefix there. */
  readonly files: s3.IBucket;
  /** How many days the bucket keeps tenant files (its lifecycle rule). @default 7 */
  readonly filesKeptDays?: number;
}

/**
 * The offboarding job: a queue (with its dead-letter queue) that `DELETE /tenants/{id}` sends the tenant to, and the
 * function that exports and erases it, one message at a time. The function may scan the table (the one function
 * that does: it must find every item of a tenant in the pooled table), delete items, write exports under
 * `tenants/*\/exports/*`, delete users and app clients of the pool, and delete API keys.
 */
export class TenantOffboarding extends Construct {
  readonly queue: JobsQueue;
  readonly worker: ServiceFunction<typeof offboardingEnvironment>;

  constructor(scope: Construct, id: string, props: TenantOffboardingProps) {
    super(scope, id);
    const timeout = Duration.minutes(5);
    this.queue = new JobsQueue(this, 'Queue', {
      visibilityTimeout: Duration.minutes(30),
      maxReceiveCount: 5,
    });
    this.worker = new ServiceFunction(this, 'Worker', {
      service: 'offboarding',
      environment: offboardingEnvironment,
      description: 'Tenant offboarding: export every item of the tenant to NDJSON, then erase it; resumable',
      timeout,
      memorySize: 1024,
    })
      .bindTable(props.table, 'TABLE_NAME', [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Scan',
      ])
      .bindBucket(props.files, 'FILES_BUCKET_NAME', ['s3:PutObject'], [TENANT_FILES.pattern('exports')])
      .bindValue('FILES_KEPT_DAYS', String(props.filesKeptDays ?? 7))
      .bindUserPool(props.userPool, 'USER_POOL_ID', [
        'cognito-idp:ListUsers',
        'cognito-idp:AdminDeleteUser',
        'cognito-idp:DeleteUserPoolClient',
      ])
      .bindUsagePlan('BASIC_USAGE_PLAN_NAME', props.usagePlans.names.basic)
      .bindUsagePlan('PREMIUM_USAGE_PLAN_NAME', props.usagePlans.names.premium);
    const stack = Stack.of(this);
    this.worker.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:DELETE'],
        resources: [stack.formatArn({ service: 'apigateway', account: '', resource: '/apikeys/*' })],
      }),
    );
    // The tenant's files go too (all but its export): listing under tenants/ only, deleting uploads and reports only.
    this.worker.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.files.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${TENANT_FILES.root}*`] } },
      }),
    );
    this.worker.bindBucket(
      props.files,
      'FILES_BUCKET_NAME',
      ['s3:DeleteObject'],
      [TENANT_FILES.pattern('uploads'), TENANT_FILES.pattern('reports')],
    );
    this.worker.live.addEventSource(new lambdaEvents.SqsEventSource(this.queue.queue, { batchSize: 1 }));
    for (const child of this.worker.live.node.children) {
      if (!(child instanceof lambda.EventSourceMapping)) continue;
      Validations.of(child).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "SQS event sources take no on-failure destination: failed messages go to the queue's dead-letter queue after maxReceiveCount",
      });
    }
  }
}
