import { randomBytes } from 'node:crypto';

/** An error S3 answers with: its status, `Code`, `Message`, and the extra elements S3 adds for that code. */
export class S3Error extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Further elements of the `<Error>` document, in order (e.g. `X-Amz-Expires`, `ProposedSize`). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** An `x-amz-request-id`: 16 uppercase hexadecimal characters, as S3's. */
export function s3RequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** S3's XML error document: `Code`, `Message`, the code's details, `RequestId` and `HostId`. */
export function s3ErrorXml(error: S3Error, requestId: string): string {
  const elements = Object.entries({ Code: error.code, Message: error.message, ...error.details })
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${elements}<RequestId>${requestId}</RequestId><HostId>${hostId(requestId)}</HostId></Error>`;
}

/** An `x-amz-id-2` derived from the request id (S3's is an opaque base64 token). */
export function hostId(requestId: string): string {
  return Buffer.from(`local-cloud-s3/${requestId}`).toString('base64');
}

/** `403 AccessDenied` with S3's plain message, for a request that carries no credentials at all. */
export const accessDenied = (): S3Error => new S3Error(403, 'AccessDenied', 'Access Denied');
