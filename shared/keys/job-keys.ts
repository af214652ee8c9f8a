import { tenantPrefix } from './tenant-prefix';

/**
 * Keys of the job entity. A tenant's jobs share one partition (listed newest first: job ids are time-sortable);
 * GSI1 partitions them by status for the `status` filter, as for orders. A job's input (an import's orders) lives
 * in its own partition of chunks, so listing jobs never reads it.
 */
export const jobKeys = {
  partition: (tenantId: string) => `${tenantPrefix(tenantId)}JOBS`,
  job: (tenantId: string, jobId: string) => ({ PK: jobKeys.partition(tenantId), SK: `JOB#${jobId}` }),
  statusPartition: (tenantId: string, status: string) => `${tenantPrefix(tenantId)}JOBS#STATUS#${status}`,
  statusIndex: (tenantId: string, status: string, jobId: string) => ({
    GSI1PK: jobKeys.statusPartition(tenantId, status),
    GSI1SK: `JOB#${jobId}`,
  }),
  inputPartition: (tenantId: string, jobId: string) => `${tenantPrefix(tenantId)}JOB#${jobId}#INPUT`,
  inputChunk: (tenantId: string, jobId: string, index: number) => ({
    PK: jobKeys.inputPartition(tenantId, jobId),
    SK: `CHUNK#${String(index).padStart(4, '0')}`,
  }),
};
