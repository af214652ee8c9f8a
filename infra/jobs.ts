import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { jobWorkerEnvironment, MAX_RETRY_DELAY_SECONDS } from '../services/job-worker/environment';
import { jobsEnvironment } from '../services/jobs/environment';
import { JOB_DEADLINE_SECONDS } from '../services/jobs/job-lifecycle';
import { createJobSchema } from '../services/jobs/job-schemas';
import { trackingKeys } from '../shared/keys/tracking-keys';
import { TABLE } from '../shared/table';
import { TENANT_FILES } from '../shared/tenant-files';
import { TENANT_STATUS_ATTRIBUTES } from '../shared/tenant-status';
import { JOB_WORKER_TIMEOUT, type JobsQueue } from './jobs-queue';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantDataRole } from './tenant-data-role';
import type { TenantRestApi } from './tenant-rest-api';

export interface JobsProps {
  /** The API the routes are added to. */
  readonly api: TenantRestApi;
  /** Guards every route: the tenant comes from the verified token, and its API key meters the call. */
  readonly authorizer: TenantAuthorizer;
  /** The single table: jobs and their input; orders and the catalog for the worker. */
  readonly table: dynamodb.ITable;
  /** The role the jobs API reaches its tenant data with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  /** Where Powertools keeps `Idempotency-Key` records and job runs. */
  readonly idempotencyTable: dynamodb.ITable;
  /** The queue between the API and the worker, with its dead-letter queue. */
  readonly queue: JobsQueue;
  /**
   * Tenant files: the API signs uploads (`tenants/*\/uploads/*`) and report downloads (`tenants/*\/reports/*`);
   * the worker reads the uploads and writes the reports. Neither may touch any other key.
   */
  readonly files: s3.IBucket;
  /** Origins allowed by CORS on the API function's responses. */
  readonly allowedOrigins: readonly string[];
  /**
   * Records per worker invocation (each is a whole job, run in parallel within the batch).
   * @default 5
   */
  readonly batchSize?: number;
  /**
   * Worker invocations the event source runs at once (2..1000), so a burst of jobs cannot take every
   * concurrent execution of the account or swamp the table.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * The cap of a failed job's retry backoff (1, 2, 4 … s), 1 to 300 s.
   * @default 300
   */
  readonly retryMaxDelaySeconds?: number;
}

/**
 * Async jobs, the 202 way: `POST /jobs` stores the job `queued` and sends its address to SQS, `GET /jobs/{jobId}`
 * and `GET /jobs` report on it; a worker behind an SQS event source (ReportBatchItemFailures, bounded
 * concurrency) runs it. The API function may only SendMessage to the queue; the worker only consumes it.
 */
export class Jobs extends Construct {
  readonly handler: ServiceFunction<typeof jobsEnvironment>;
  readonly worker: ServiceFunction<typeof jobWorkerEnvironment>;
  readonly eventSource: lambdaEvents.SqsEventSource;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const { api, authorizer, queue } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'jobs',
      environment: jobsEnvironment,
      description: 'Async jobs API: accept (202, idempotent), get, list',
    })
      // Jobs and their input are tenant data, reached through the tenant data role only: the function's own role
      // has no grant on the table at all.
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindValue('TABLE_NAME', props.table.tableName)
      .bindTable(props.idempotencyTable, 'IDEMPOTENCY_TABLE_NAME', [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ])
      .bindQueue(queue.queue, 'JOBS_QUEUE_URL', ['sqs:SendMessage'])
      // Signing needs the grant the signed request will exercise: PutObject for the upload form, GetObject for
      // the download link.
      .bindBucket(props.files, 'FILES_BUCKET_NAME', ['s3:PutObject'], [TENANT_FILES.pattern('uploads')])
      .bindBucket(props.files, 'FILES_BUCKET_NAME', ['s3:GetObject'], [TENANT_FILES.pattern('reports')])
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS');

    this.worker = new ServiceFunction(this, 'Worker', {
      service: 'job-worker',
      environment: jobWorkerEnvironment,
      description:
        'Async jobs worker: orders.import, orders.report (SQS, partial batch failures, idempotent)',
      timeout: JOB_WORKER_TIMEOUT,
      memorySize: 1024,
      invokedBy: 'sqs',
    })
      // Each job's data (the job, its input, orders, the catalog, its files) is reached with a session of the job's
      // tenant. The worker's own role keeps what is not a tenant's data: the tenant's status (the operators' record,
      // read before a job runs) and the tracking pointers, one at a time or 25 a request — BatchWriteItem could
      // delete too, so both are confined to the tracking-pointer partitions (the worker only sends puts there).
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:GetItem'], {
        leadingKeys: ['TENANT#*#PROFILE'],
        attributes: [TABLE.partitionKey, TABLE.sortKey, ...TENANT_STATUS_ATTRIBUTES],
      })
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'], {
        leadingKeys: [trackingKeys.leadingKeyPattern],
      })
      .bindTable(props.idempotencyTable, 'IDEMPOTENCY_TABLE_NAME', [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ])
      // SendMessage: a long import continues in a follow-up message from its checkpoint.
      .bindQueue(queue.queue, 'JOBS_QUEUE_URL', ['sqs:ChangeMessageVisibility', 'sqs:SendMessage'])
      // Its uploads and reports are read and written with the tenant's session (its prefix only).
      .bindValue('FILES_BUCKET_NAME', props.files.bucketName)
      .bindValue('MAX_RECEIVE_COUNT', String(queue.maxReceiveCount))
      .bindValue('RETRY_MAX_DELAY_SECONDS', String(props.retryMaxDelaySeconds ?? MAX_RETRY_DELAY_SECONDS));
    this.eventSource = new lambdaEvents.SqsEventSource(queue.queue, {
      batchSize: props.batchSize ?? 5,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency ?? 5,
    });
    this.worker.live.addEventSource(this.eventSource);
    for (const child of this.worker.live.node.children) {
      if (!(child instanceof lambda.EventSourceMapping)) continue;
      Validations.of(child).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "SQS event sources take no on-failure destination: failed messages go to the queue's dead-letter queue after maxReceiveCount",
      });
    }

    const integration = new apigw.LambdaIntegration(this.handler.live, { proxy: true });
    const guarded = authorizer.methodOptions;
    const jobs = api.root.addResource('jobs');
    const list = jobs.addMethod('GET', integration, guarded);
    const create = jobs.addMethod('POST', integration, {
      ...guarded,
      ...api.requestBody('CreateJob', createJobSchema),
    });
    const job = jobs.addResource('{jobId}');
    const get = job.addMethod('GET', integration, guarded);
    const result = job.addResource('result').addMethod('GET', integration, guarded);

    // No shared method throttle on POST /jobs (one tenant's burst would refuse another's): each tenant's key and
    // plan meter it, and the worker's maximum concurrency bounds the backend.
    for (const method of [list, create, get, result]) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and adds tenant policy and API key',
      });
    }
    this.node.addValidation({ validate: () => this.checkTimings(queue) });
  }

  /** A message must stay hidden while a worker may still run it, and a job outlive all its deliveries. */
  private checkTimings(queue: JobsQueue): string[] {
    const errors: string[] = [];
    const timeout = this.worker.function.timeout?.toSeconds() ?? JOB_WORKER_TIMEOUT.toSeconds();
    const visibility = queue.visibilityTimeout.toSeconds();
    if (visibility < 6 * timeout) {
      errors.push(
        `jobs queue visibility timeout is ${visibility} s, less than 6× the worker's ${timeout} s timeout: set it to at least ${6 * timeout} s`,
      );
    }
    if (JOB_DEADLINE_SECONDS <= queue.maxReceiveCount * visibility) {
      errors.push(
        `a job's deadline (${JOB_DEADLINE_SECONDS} s) would pass while the queue still redelivers it (${queue.maxReceiveCount} × ${visibility} s): raise JOB_DEADLINE_SECONDS or lower the visibility timeout`,
      );
    }
    return errors;
  }
}
