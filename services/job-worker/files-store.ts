import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../../shared/s3';

/** The worker's side of the files bucket: it reads uploads and writes reports (its grant covers nothing else). */
export function createFilesStore(bucket: string, client: S3Client = s3Client) {
  return {
    /** The object's bytes as a stream (never buffered whole) and its size. */
    async open(key: string): Promise<{ readonly body: Readable; readonly size: number }> {
      const { Body, ContentLength } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return { body: Body as Readable, size: ContentLength ?? 0 };
    },

    /** Writes a CSV file (a report) under `key`. */
    async putCsv(key: string, csv: string): Promise<void> {
      await client.send(
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
