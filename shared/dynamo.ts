import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './tracer';

/**
 * The DynamoDB client, created once per execution environment and reused across invocations.
 * The endpoint is the SDK's own resolution (AWS_ENDPOINT_URL_DYNAMODB locally), never code. Traced by X-Ray
 * (the document client shares its middleware).
 */
export const dynamoClient = tracer.captureAWSv3Client(new DynamoDBClient({}));

export const documentClient = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});
