import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../../shared/s3';

/**
 * The worker's side of the files bucket: it reads uploads and writes reports of one tenant at a time. `clients`
 * gives the S3 client of a tenant (its tenant data session, whose grant is that tenant's prefix only), or is one
 * client for every tenant (engines with no IAM).
 */
export function createFilesStore(
  bucket: string,
  clients: S3Client | ((tenantId: string) => S3Client) = s3Client,
) {
  const forTenant = typeof clients === 'function' ? clients : () => clients;
  return {
    /** The object's bytes as a stream (never buffered whole) and its size. */
    async open(tenantId: string, key: string): Promise<{ readonly body: Readable; readonly size: number }> {
      const { Body, ContentLength } = await forTenant(tenantId).send(
        new GetObjectCommand({ Bucket: bucket, Key: key }),
      );
      if (!Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return { body: Body as Readable, size: ContentLength ?? 0 };
    },

    /** Writes a CSV file (a report) under `key`. */
    async putCsv(tenantId: string, key: string, csv: string): Promise<void> {
      await forTenant(tenantId).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: csv,
          ContentType: 'text/csv; charset=utf-8',
        }),
      );
    },
  };
}

export type FilesStore = ReturnType<typeof createFilesStore>;
