import * as z from 'zod';
import { logger } from '../../shared/logger';
import { TENANT_FILES } from '../../shared/tenant-files';
import type { JobMessage } from '../jobs/job-message';

/** What the worker reads of an S3 event notification (the body S3 sends to the queue). */
const s3EventSchema = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
    }),
  ),
});
/** The message S3 sends when a notification is configured, to check it can write to the queue. */
const s3TestEventSchema = z.object({ Event: z.literal('s3:TestEvent') });

/**
 * The jobs an S3 notification starts: one per created object of the files bucket whose key is an upload
 * (`tenants/<tenantId>/uploads/<jobId>.<ext>`). The tenant and job come from the key, which the service fixed in
 * the POST policy it signed (a client cannot choose it); the worker then runs only a job that exists under that
 * tenant and names that very key. Returns undefined when the body is no S3 notification at all, and no job for
 * S3's test event, another bucket, or any other key (a report just written).
 */
export function jobMessagesOfS3Event(body: unknown, bucket: string): JobMessage[] | undefined {
  if (s3TestEventSchema.safeParse(body).success) return [];
  const parsed = s3EventSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const messages: JobMessage[] = [];
  for (const record of parsed.data.Records) {
    // Keys arrive URL-encoded, spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const upload = TENANT_FILES.parseUpload(key);
    if (!record.eventName.startsWith('ObjectCreated:') || record.s3.bucket.name !== bucket || !upload) {
      logger.debug('object notification starts no job', { eventName: record.eventName, key });
      continue;
    }
    messages.push({ tenantId: upload.tenantId, jobId: upload.jobId });
  }
  return messages;
}
