import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { tracer } from '../../shared/tracer';
import { createBroadcaster } from './broadcaster';
import { type BroadcasterConfig, readBroadcasterConfig } from './config';
import { createConnectionPoster } from './connection-poster';
import { createConnectionsReader } from './connections-reader';

/** A DynamoDB stream handler with partial batch responses. */
export type BroadcasterHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** The table stream's consumer that pushes order and job changes to their tenant's WebSocket connections. */
export function createBroadcasterHandler(
  config: BroadcasterConfig,
  // The SDK's retries are off: connection-poster.ts owns the retry policy (and tests inject faults through it).
  management = tracer.captureAWSv3Client(
    new ApiGatewayManagementApiClient({ endpoint: config.CALLBACK_URL, maxAttempts: 1 }),
  ),
): BroadcasterHandler {
  const broadcaster = createBroadcaster({
    connections: createConnectionsReader(config.TABLE_NAME),
    poster: createConnectionPoster(management),
  });
  return (event) => broadcaster.broadcast(event.Records);
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() =>
  instrumented(createBroadcasterHandler(readBroadcasterConfig())),
);
