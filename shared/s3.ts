import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from './tracer';

/**
 * The S3 client, created once per execution environment and reused across invocations. The endpoint is the SDK's
 * own resolution (AWS_ENDPOINT_URL_S3 locally), never code. Traced by X-Ray.
 */
export const s3Client = tracer.captureAWSv3Client(new S3Client({}));
