import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from './tracer';

/**
 * The SQS client, created once per execution environment and reused across invocations.
 * The endpoint is the SDK's own resolution (AWS_ENDPOINT_URL_SQS locally), never code. Traced by X-Ray.
 */
export const sqsClient = tracer.captureAWSv3Client(new SQSClient({}));
