import * as z from 'zod';
import { JOB_ID_PATTERN } from '../../shared/codecs/job-codec';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';

/**
 * The SQS message that hands a job to the worker: only its address. Everything else (type, input) is read from
 * the job item, which is written before the message is sent, so a message can never carry more authority than
 * the stored job. `segment` numbers the follow-ups of a long import (absent: the job's first delivery).
 */
export const jobMessageSchema = z.strictObject({
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  jobId: z.string().regex(JOB_ID_PATTERN),
  segment: z.int().min(1).max(10_000).optional(),
});
export type JobMessage = z.infer<typeof jobMessageSchema>;
