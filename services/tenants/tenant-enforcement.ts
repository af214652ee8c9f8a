import {
  APIGatewayClient,
  FlushStageAuthorizersCacheCommand,
  FlushStageCacheCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteCommand, type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { connectionCodec } from '../../shared/codecs/connection-codec';
import { documentClient } from '../../shared/dynamo';
import { connectionKeys } from '../../shared/keys/connection-keys';
import { TABLE } from '../../shared/table';
import { tracer } from '../../shared/tracer';

/** Where the tenant's access is cached or held open, as the function is configured with it. */
export interface EnforcementTargets {
  readonly tableName: string;
  /** The REST API and stage whose Lambda authorizer caches decisions (and whose stage may cache responses). */
  readonly restApiId: string;
  readonly stageName: string;
  /** Whether the stage has a response cache (catalog GETs): then it is flushed too. */
  readonly stageCache: boolean;
  /** The WebSocket API's `@connections` endpoint. */
  readonly callbackUrl: string;
}

function isGone(error: unknown): boolean {
  return error instanceof Error && error.name === 'GoneException';
}

/**
 * What makes a change of a tenant's status take effect at once rather than when caches expire: the REST
 * authorizer's cached decisions (300 s) and the stage's cached responses are flushed, and the tenant's open
 * WebSocket connections are closed (new ones are refused by the connect authorizer, which reads the status).
 */
export function createTenantEnforcement(
  targets: EnforcementTargets,
  clients: {
    readonly apiGateway?: APIGatewayClient;
    readonly management?: ApiGatewayManagementApiClient;
    readonly table?: DynamoDBDocumentClient;
  } = {},
) {
  const apiGateway = clients.apiGateway ?? tracer.captureAWSv3Client(new APIGatewayClient({}));
  const management =
    clients.management ??
    tracer.captureAWSv3Client(new ApiGatewayManagementApiClient({ endpoint: targets.callbackUrl }));
  const table = clients.table ?? documentClient;

  /** Every decision and response cached for the stage is dropped: the next request is decided afresh. */
  async function flushCaches(): Promise<void> {
    const stage = { restApiId: targets.restApiId, stageName: targets.stageName };
    await apiGateway.send(new FlushStageAuthorizersCacheCommand(stage));
    if (targets.stageCache) await apiGateway.send(new FlushStageCacheCommand(stage));
  }

  /**
   * Closes every open connection of the tenant (`@connections` DELETE; one already gone is fine) and forgets it.
   * @returns how many connections were closed or forgotten
   */
  async function closeConnections(tenantId: string): Promise<number> {
    let closed = 0;
    const pages = paginateQuery(
      { client: table },
      {
        TableName: targets.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        ExpressionAttributeValues: { ':pk': connectionKeys.partition(tenantId) },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const { connectionId } = connectionCodec.fromItem(item);
        try {
          await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
        } catch (error) {
          if (!isGone(error)) throw error;
        }
        await table.send(
          new DeleteCommand({
            TableName: targets.tableName,
            Key: connectionKeys.connection(tenantId, connectionId),
          }),
        );
        closed += 1;
      }
    }
    return closed;
  }

  return { flushCaches, closeConnections };
}

/** Cache flushing and connection closing for one deployment's APIs. */
export type TenantEnforcement = ReturnType<typeof createTenantEnforcement>;
