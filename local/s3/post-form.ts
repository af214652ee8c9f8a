import type { IncomingMessage } from 'node:http';
import Busboy from '@fastify/busboy';
import { S3Error } from './s3-errors';

/** A browser-based upload's form, read: its fields before the file, and the file. */
export interface PostForm {
  /** Field names lowercased (S3 matches them case-insensitively); fields after the file are ignored, as by S3. */
  readonly fields: ReadonlyMap<string, string>;
  readonly file?: { readonly name: string; readonly data: Buffer };
}

/** S3's limit on a POST form's fields (the file aside): 20 KB. */
const MAX_FIELDS_BYTES = 20 * 1024;

/**
 * Reads a `multipart/form-data` POST as S3 does: the fields up to the `file` field, then the file's bytes
 * (streamed by busboy and kept in memory, at most `maxFileBytes`; the policy check needs its size before it is
 * stored). Throws S3's error for a malformed form or a file above the limit.
 */
export function readPostForm(req: IncomingMessage, maxFileBytes: number): Promise<PostForm> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let fieldBytes = 0;
    let file: { name: string; data: Buffer } | undefined;
    let fileDone: Promise<void> = Promise.resolve();
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: req.headers as Parameters<typeof Busboy>[0]['headers'],
        limits: { fileSize: maxFileBytes, fieldSize: MAX_FIELDS_BYTES },
      });
    } catch {
      reject(
        new S3Error(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        ),
      );
      return;
    }
    parser.on('field', (name, value) => {
      if (file) return;
      fieldBytes += name.length + value.length;
      fields.set(name.toLowerCase(), value);
    });
    parser.on('file', (name, stream, fileName) => {
      if (file || name.toLowerCase() !== 'file') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      const entry = { name: fileName, data: Buffer.alloc(0) };
      file = entry;
      fileDone = new Promise((done) => {
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          entry.data = Buffer.concat(chunks);
          done();
        });
      });
      stream.on('limit', () =>
        reject(
          new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
            MaxSizeAllowed: String(maxFileBytes),
          }),
        ),
      );
    });
    parser.on('error', () =>
      reject(
        new S3Error(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        ),
      ),
    );
    parser.on('finish', () => {
      if (fieldBytes > MAX_FIELDS_BYTES) {
        reject(
          new S3Error(
            400,
            'MaxPostPreDataLengthExceeded',
            'Your POST request fields preceding the upload file were too large.',
          ),
        );
        return;
      }
      fileDone.then(() => resolve({ fields, ...(file ? { file } : {}) }), reject);
    });
    req.pipe(parser);
  });
}

/** Form fields S3 stores as the object's headers (besides `x-amz-meta-*`). */
const HEADER_FIELDS = new Set([
  'cache-control',
  'content-type',
  'content-disposition',
  'content-encoding',
  'expires',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
]);

/** The headers of the PutObject a POST upload amounts to: its object headers and metadata fields. */
export function objectHeaders(fields: ReadonlyMap<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'binary/octet-stream' };
  for (const [name, value] of fields) {
    if (HEADER_FIELDS.has(name) || name.startsWith('x-amz-meta-')) headers[name] = value;
  }
  return headers;
}
