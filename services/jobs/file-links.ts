import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../../shared/s3';
import { DOWNLOAD_URL_SECONDS, MAX_UPLOAD_BYTES, UPLOAD_URL_SECONDS } from './job-schemas';

/** What a client needs to upload one file: a form POST to `url` with `fields` first and the file last. */
export interface UploadForm {
  readonly method: 'POST';
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly maxBytes: number;
  readonly expiresAt: string;
}

/**
 * Pre-signed links to tenant files, signed with the function's own role (whose grant covers only the prefixes it
 * signs for). Keys always come from shared/tenant-files.ts, never from the client.
 */
export function createFileLinks(bucket: string, client: S3Client = s3Client, clock: () => number = Date.now) {
  return {
    /**
     * A POST policy for exactly `key`: the key is a fixed field (no `starts-with`), the size at most
     * MAX_UPLOAD_BYTES, the Content-Type the one given, and the form expires in UPLOAD_URL_SECONDS.
     */
    async uploadForm(key: string, contentType: string): Promise<UploadForm> {
      const { url, fields } = await createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 1, MAX_UPLOAD_BYTES],
          ['eq', '$Content-Type', contentType],
        ],
        Fields: { 'Content-Type': contentType },
        Expires: UPLOAD_URL_SECONDS,
      });
      return {
        method: 'POST',
        url,
        fields,
        maxBytes: MAX_UPLOAD_BYTES,
        expiresAt: new Date(clock() + UPLOAD_URL_SECONDS * 1000).toISOString(),
      };
    },

    /** A GET of `key` valid for DOWNLOAD_URL_SECONDS, saved by browsers as `filename`. */
    async downloadUrl(key: string, filename: string, contentType: string): Promise<string> {
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: `attachment; filename="${filename}"`,
          ResponseContentType: contentType,
        }),
        { expiresIn: DOWNLOAD_URL_SECONDS },
      );
    },
  };
}

export type FileLinks = ReturnType<typeof createFileLinks>;
