import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { logger } from '../../shared/logger';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { readTenantStatus } from '../../shared/tenant-status';
import { type JobMessage, jobMessageSchema } from '../jobs/job-message';
import { createJobQueue } from '../jobs/job-queue';
import { createJobsRepository } from '../jobs/jobs-repository';
import { createOrdersRepository } from '../orders/orders-repository';
import { type JobWorkerConfig, readJobWorkerConfig } from './config';
import { createFilesStore } from './files-store';
import { createJobRunner, type JobRunner } from './job-runner';
import { createReportQueries } from './report-queries';
import { createMessageVisibility, type MessageVisibility, retryDelaySeconds } from './retry-backoff';
import { jobMessagesOfS3Event } from './upload-arrival';

export type JobWorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What the worker needs besides its config; tests pass their own to inject faults. */
export interface JobWorkerDependencies {
  readonly runner?: JobRunner;
  readonly visibility?: MessageVisibility;
  /** @default sessions of the tenant data role, one per tenant */
  readonly tenantData?: TenantData;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The SQS job worker: each record is one job, run once (idempotent per job); only the records that fail are
 * reported back (ReportBatchItemFailures, Powertools batch). A failed record comes back after a short
 * exponential delay; when its last allowed delivery fails, its job is marked `failed` with the reason and the
 * message goes on to the dead-letter queue.
 */
export function createJobWorkerHandler(
  config: JobWorkerConfig,
  deps: JobWorkerDependencies = {},
): JobWorkerHandler {
  // Each message is one tenant's job: its data is reached with that tenant's session (tracking pointers and the
  // tenant's status, which are not its data, with the worker's own role).
  const tenants = deps.tenantData ?? new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN });
  const runner =
    deps.runner ??
    createJobRunner({
      jobs: createJobsRepository(config.TABLE_NAME, tenants.tableClients()),
      orders: createOrdersRepository(config.TABLE_NAME, tenants.tableClients()),
      reports: createReportQueries(config.TABLE_NAME, tenants.tableClients()),
      files: createFilesStore(config.FILES_BUCKET_NAME, (tenantId) => tenants.clientsFor(tenantId).s3),
      queue: createJobQueue(config.JOBS_QUEUE_URL),
      idempotencyTableName: config.IDEMPOTENCY_TABLE_NAME,
      tenantStatus: (tenantId) => readTenantStatus(config.TABLE_NAME, tenantId),
    });
  const visibility = deps.visibility ?? createMessageVisibility(config.JOBS_QUEUE_URL);
  const processor = new BatchProcessor(EventType.SQS);

  return async (event, context) => {
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      const body = parseJson(record.body);
      const receiveCount = Number(record.attributes.ApproximateReceiveCount);
      const parsed = jobMessageSchema.safeParse(body);
      const uploads = parsed.success ? undefined : jobMessagesOfS3Event(body, config.FILES_BUCKET_NAME);
      if (!parsed.success && uploads === undefined) {
        // No job to mark: the message goes its way to the dead-letter queue, where an operator can read it.
        logger.error('malformed job message', { messageId: record.messageId, receiveCount });
        throw new Error('malformed job message');
      }
      // An S3 notification names its objects; those that are uploads start their jobs (others, e.g. a report
      // just written, start nothing).
      for (const message of parsed.success ? [parsed.data] : (uploads ?? [])) {
        await runMessage(message, record, receiveCount);
      }
    };
    const runMessage = async (
      message: JobMessage,
      record: SQSRecord,
      receiveCount: number,
    ): Promise<void> => {
      const log = logger.createChild({ persistentKeys: { ...message, messageId: record.messageId } });
      try {
        const outcome = await runner.run(message, log, context);
        log.info('job message done', { outcome, receiveCount });
      } catch (error) {
        const last = receiveCount >= config.MAX_RECEIVE_COUNT;
        // Another worker holds this job right now: it is not this delivery's failure to report.
        if (last && !(error instanceof IdempotencyAlreadyInProgressError)) {
          await runner.fail(message, `gave up after ${receiveCount} attempts: ${describe(error)}`);
          log.error('job failed on its last delivery; message goes to the dead-letter queue', error as Error);
        } else {
          log.warn('job attempt failed; will retry', { receiveCount, error: describe(error) });
        }
        try {
          await visibility.delay(
            record.receiptHandle,
            retryDelaySeconds(receiveCount, config.MAX_RECEIVE_COUNT, config.RETRY_MAX_DELAY_SECONDS),
          );
        } catch (visibilityError) {
          // The queue's own visibility timeout still brings the message back.
          log.warn('could not shorten the retry delay', { error: describe(visibilityError) });
        }
        throw error;
      }
    };
    return processPartialResponse(event, recordHandler, processor, {
      context,
      // Every failed record is reported the same way; a thrown full-batch error would add nothing but noise.
      throwOnFullBatchFailure: false,
    });
  };
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createJobWorkerHandler(readJobWorkerConfig())));
