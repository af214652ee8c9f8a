import {
  httpRouter,
  memberLocation,
  type ProxyHandler,
  parseJsonBody,
  parseQuery,
  pathParameter,
  requestHeader,
} from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { principalFromLambdaAuthorizer } from '../../shared/tenant-context';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { parseWith } from '../../shared/validation';
import { idempotencyKeySchema } from '../orders/order-schemas';
import { type JobsConfig, readJobsConfig } from './config';
import { createFileLinks } from './file-links';
import { createJobQueue } from './job-queue';
import { createJobSchema, listJobsQuerySchema } from './job-schemas';
import { createJobsRepository } from './jobs-repository';
import { createJobsService } from './jobs-service';

/** The jobs API (`/jobs`, `/jobs/{jobId}`, `/jobs/{jobId}/result`) behind the REST API's Lambda authorizer, wired to `config`. */
export function createJobsHandler(
  config: JobsConfig,
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
): ProxyHandler {
  const jobs = createJobsService({
    // Jobs and their input are reached with the caller's tenant session only.
    repository: createJobsRepository(config.TABLE_NAME, tenantData.tableClients()),
    queue: createJobQueue(config.JOBS_QUEUE_URL),
    files: createFileLinks(config.FILES_BUCKET_NAME),
    idempotencyTableName: config.IDEMPOTENCY_TABLE_NAME,
  });
  return httpRouter(
    {
      'POST /jobs': async (event, context) => {
        const principal = principalFromLambdaAuthorizer(event);
        const input = parseJsonBody(event, createJobSchema);
        const idempotencyKey = parseWith(
          idempotencyKeySchema,
          requestHeader(event, 'Idempotency-Key'),
          'Idempotency-Key header',
        );
        const job = await jobs.createJob(principal, input, { idempotencyKey, lambdaContext: context });
        const statusUrl = memberLocation(event, job.jobId);
        return {
          statusCode: 202,
          body: {
            jobId: job.jobId,
            type: job.type,
            status: job.status,
            statusUrl,
            // An upload import: post the file with this form; its arrival starts the job.
            ...(job.upload ? { upload: job.upload } : {}),
          },
          headers: { Location: statusUrl },
        };
      },
      'GET /jobs': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        return {
          statusCode: 200,
          body: await jobs.listJobs(principal, parseQuery(event, listJobsQuerySchema)),
        };
      },
      'GET /jobs/{jobId}': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        return { statusCode: 200, body: await jobs.getJob(principal, pathParameter(event, 'jobId')) };
      },
      'GET /jobs/{jobId}/result': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        const location = await jobs.resultLink(principal, pathParameter(event, 'jobId'));
        const noStore = { 'Cache-Control': 'private, no-store' };
        // A browser page cannot follow the 303 itself: after a cross-origin redirect its fetch sends `Origin: null`,
        // which the bucket's CORS rightly refuses, and a manual redirect hides the Location. Asked for JSON, the
        // link comes as a body the page reads, then fetches from S3 with its own origin.
        if (/\bapplication\/json\b/i.test(requestHeader(event, 'Accept') ?? '')) {
          return { statusCode: 200, body: { url: location }, headers: noStore };
        }
        // 303: the client follows with a GET of the pre-signed URL (S3 answers it; no bytes pass the API).
        return { statusCode: 303, headers: { Location: location, ...noStore } };
      },
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createJobsHandler(readJobsConfig())));
