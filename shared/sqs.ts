import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The SQS client, created once per execution environment and reused across invocations.
 * The endpoint is the SDK's own resolution (AWS_ENDPOINT_URL_SQS locally), never code.
 */
export const sqsClient = new SQSClient({});
