import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  TRACKING_POINTER_ATTRIBUTES,
  type TrackingPointer,
  trackingPointerCodec,
} from '../../shared/codecs/tracking-pointer-codec';
import { documentClient } from '../../shared/dynamo';
import { orderKeys } from '../../shared/keys/order-keys';
import { trackingKeys } from '../../shared/keys/tracking-keys';
import { readTenantStatus } from '../../shared/tenant-status';
import { TRACKING_VIEW_ATTRIBUTES, type TrackingView, trackingViewFromItem } from './tracking-view';

/** `ProjectionExpression` and names for exactly `attributes`. */
function projection(attributes: readonly string[]) {
  return {
    ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
  };
}

/**
 * The tracking route's DynamoDB access: one GetItem for the pointer, one for the order, each projected to
 * what the route serves (IAM allows nothing more).
 */
export function createTrackingRepository(tableName: string, client: DynamoDBDocumentClient = documentClient) {
  async function pointer(trackingId: string): Promise<TrackingPointer | undefined> {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: trackingKeys.pointer(trackingId),
        ...projection(TRACKING_POINTER_ATTRIBUTES),
      }),
    );
    return Item ? trackingPointerCodec.fromProjection(trackingId, Item) : undefined;
  }

  /**
   * The public view of the order a tracking id leads to, or undefined (no pointer, no order behind it, or a
   * tenant that is not ACTIVE: a suspended tenant's tracking page answers as an unknown id would).
   */
  async function trackingView(trackingId: string): Promise<TrackingView | undefined> {
    const found = await pointer(trackingId);
    if (!found) return undefined;
    if ((await readTenantStatus(tableName, found.tenantId, client)) !== 'ACTIVE') return undefined;
    const key = orderKeys.order(found.tenantId, found.orderId);
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: key, ...projection(TRACKING_VIEW_ATTRIBUTES) }),
    );
    return Item ? trackingViewFromItem({ ...key, ...Item }) : undefined;
  }

  return { trackingView };
}

/** The tracking repository bound to a table. */
export type TrackingRepository = ReturnType<typeof createTrackingRepository>;
