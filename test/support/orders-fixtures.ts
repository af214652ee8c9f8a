import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { catalogItemCodec } from '../../shared/codecs/catalog-item-codec';
import type { ProxyHandler } from '../../shared/http';
import { orderKeys } from '../../shared/keys/order-keys';
import { type LambdaAuthorizerContext, lambdaContext } from './api-events';
import { TEST_ENV } from './test-env';

/** A catalog entry as the catalog service stores it. */
export interface CatalogEntry {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
  readonly public?: boolean;
}

/** A handler response with its JSON body decoded. */
export interface JsonResponse<T> {
  readonly statusCode: number;
  readonly headers: Record<string, string | number | boolean>;
  readonly body: T;
}

/** Invokes a REST proxy handler with a fresh Lambda context and decodes its JSON body. */
export async function invoke<T = Record<string, unknown>>(
  handler: ProxyHandler,
  event: APIGatewayProxyEvent,
): Promise<JsonResponse<T>> {
  const result = await handler(event, lambdaContext({ functionName: 'orders' }));
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    body: (result.body ? JSON.parse(result.body) : undefined) as T,
  };
}

/** The Lambda authorizer context of a member of `tenantId`. */
export function member(tenantId: string, userId = `user-${tenantId}`): LambdaAuthorizerContext {
  return { tenantId, userId, role: 'member', tier: 'basic' };
}

/**
 * Direct access to the test tables, bypassing the code under test (and any client mocks it sees), to seed
 * catalog items and to check what was and was not written.
 */
export class OrdersTableProbe {
  readonly client: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient) {
    this.client = DynamoDBDocumentClient.from(client);
  }

  /** Stores catalog items as the catalog service would (through its codec), bypassing its handler. */
  async seedCatalog(tenantId: string, entries: readonly CatalogEntry[]): Promise<void> {
    for (const entry of entries) {
      const item = {
        public: true,
        ...entry,
        updatedAt: '2026-01-01T00:00:00.000Z',
        updatedBy: `admin-${tenantId}`,
      };
      await this.client.send(
        new PutCommand({ TableName: TEST_ENV.TABLE_NAME, Item: catalogItemCodec.toItem(tenantId, item) }),
      );
    }
  }

  /** Every stored order item of the tenant (raw, with keys). */
  async storedOrders(tenantId: string): Promise<Record<string, unknown>[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: TEST_ENV.TABLE_NAME,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :order)',
        ExpressionAttributeValues: { ':pk': orderKeys.partition(tenantId), ':order': 'ORDER#' },
        ConsistentRead: true,
      }),
    );
    return Items ?? [];
  }

  /** One stored order item (raw, with keys). */
  async storedOrder(tenantId: string, orderId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Key: orderKeys.order(tenantId, orderId),
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /** Every record in the idempotency table (a test-only Scan). */
  async idempotencyRecords(): Promise<Record<string, unknown>[]> {
    const { Items } = await this.client.send(
      new ScanCommand({ TableName: TEST_ENV.IDEMPOTENCY_TABLE_NAME, ConsistentRead: true }),
    );
    return Items ?? [];
  }
}
