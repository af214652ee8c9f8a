import type { CallToAuthorize } from './call-authority';
import type { IamModel } from './iam-model';

/** One S3 REST request as the mapping reads it (path-style: `/<bucket>/<key>`). */
export interface S3Request {
  readonly method: string;
  readonly bucket: string;
  /** The object key, undefined for a bucket-level request. */
  readonly key?: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** `x-amz-copy-source` (`/<bucket>/<key>` or `<bucket>/<key>`) of a CopyObject / UploadPartCopy. */
  readonly copySource?: string;
}

/**
 * The IAM calls one S3 request makes, as S3 authorizes them: object operations on `arn:aws:s3:::<bucket>/<key>`,
 * bucket ones on `arn:aws:s3:::<bucket>` with `s3:prefix` (ListObjects), each with the bucket's policy. Multipart
 * parts are `s3:PutObject`; a copy also reads its source. The S3 front asks it for every signed request
 * (local/s3/s3-service.ts).
 */
export function s3Calls(request: S3Request, iam: IamModel): CallToAuthorize[] {
  const policy = iam.bucketPolicies.get(request.bucket);
  const withPolicy = (call: CallToAuthorize): CallToAuthorize =>
    policy ? { ...call, resourcePolicy: policy } : call;
  const bucketArn = `arn:aws:s3:::${request.bucket}`;
  const method = request.method.toUpperCase();
  const { query } = request;
  if (request.key === undefined || request.key === '') {
    if (method === 'GET' || method === 'HEAD') {
      // HeadBucket and ListObjects(V2) are s3:ListBucket; the listing's prefix is `s3:prefix`.
      const action =
        'versions' in query
          ? 's3:ListBucketVersions'
          : 'uploads' in query
            ? 's3:ListBucketMultipartUploads'
            : 's3:ListBucket';
      const context: Record<string, string> = query.prefix === undefined ? {} : { 's3:prefix': query.prefix };
      return [withPolicy({ action, resource: bucketArn, context })];
    }
    // DeleteObjects: each key is a DeleteObject (the keys are in the body; authorized on the bucket's objects).
    if (method === 'POST' && 'delete' in query)
      return [withPolicy({ action: 's3:DeleteObject', resource: `${bucketArn}/*` })];
    const action =
      method === 'PUT' ? 's3:CreateBucket' : method === 'DELETE' ? 's3:DeleteBucket' : 's3:ListBucket';
    return [withPolicy({ action, resource: bucketArn })];
  }
  const objectArn = `${bucketArn}/${request.key}`;
  const action =
    method === 'GET' || method === 'HEAD'
      ? 's3:GetObject'
      : method === 'DELETE'
        ? 'uploadId' in query
          ? 's3:AbortMultipartUpload'
          : 's3:DeleteObject'
        : 's3:PutObject';
  const calls = [withPolicy({ action, resource: objectArn })];
  if (request.copySource !== undefined) {
    const source = decodeURIComponent(request.copySource.replace(/^\//, '').split('?')[0] ?? '');
    const sourceBucket = source.split('/')[0] ?? '';
    const sourcePolicy = iam.bucketPolicies.get(sourceBucket);
    calls.push({
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${source}`,
      ...(sourcePolicy ? { resourcePolicy: sourcePolicy } : {}),
    });
  }
  return calls;
}

/** An AccessDenied message as S3 words it: the resource ARN in quotes. */
export function s3DeniedMessage(message: string): string {
  return message.replace(/ on resource: (\S+)/, ' on resource: "$1"');
}
