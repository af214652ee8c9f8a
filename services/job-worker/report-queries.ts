import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { decodeItem } from '../../shared/codecs/stored-item';
import { documentClient } from '../../shared/dynamo';
import { sortableIdBounds } from '../../shared/ids';
import { orderKeys } from '../../shared/keys/order-keys';
import { TABLE } from '../../shared/table';
import { type TableClients, tableClients } from '../../shared/table-clients';
import { ORDER_STATUSES } from '../orders/order-status';
import type { ReportedOrder } from './orders-report';

const reportedOrder = z.object({
  orderId: z.string(),
  status: z.enum(ORDER_STATUSES),
  total: z.number(),
  currency: z.string(),
  createdAt: z.iso.datetime(),
});

/** The sort-key prefix of an order item, before its id. */
const ORDER_SK = 'ORDER#';

/**
 * The tenant's orders created in `[start, end)`, a page at a time, oldest first. One Query over the tenant's
 * order partition: order ids sort by creation time, so the time range is a sort-key range.
 */
export function createReportQueries(
  tableName: string,
  clients: DynamoDBDocumentClient | TableClients = documentClient,
) {
  const { forTenant } = tableClients(clients);
  return {
    async *ordersCreatedBetween(
      tenantId: string,
      start: number,
      end: number,
    ): AsyncGenerator<ReportedOrder[]> {
      const pages = paginateQuery(
        { client: forTenant(tenantId) },
        {
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
          ExpressionAttributeNames: {
            '#pk': TABLE.partitionKey,
            '#sk': TABLE.sortKey,
            '#status': 'status',
            '#total': 'total',
            '#currency': 'currency',
            '#createdAt': 'createdAt',
          },
          ExpressionAttributeValues: {
            ':pk': orderKeys.partition(tenantId),
            ':low': orderKeys.order(tenantId, sortableIdBounds(start).lowest).SK,
            ':high': orderKeys.order(tenantId, sortableIdBounds(end - 1).highest).SK,
          },
          ProjectionExpression: '#pk, #sk, #status, #total, #currency, #createdAt',
        },
      );
      for await (const page of pages) {
        yield (page.Items ?? []).map((item) =>
          decodeItem('order', reportedOrder, {
            ...item,
            orderId: String(item[TABLE.sortKey]).slice(ORDER_SK.length),
          }),
        );
      }
    },
  };
}

export type ReportQueries = ReturnType<typeof createReportQueries>;
