import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Connection } from '../../shared/codecs/connection-codec';
import { logger } from '../../shared/logger';
import { BROADCAST_METRICS, metrics } from '../../shared/metrics';
import type { ConnectionPoster } from './connection-poster';
import type { ConnectionsReader } from './connections-reader';
import { type ChangeMessage, type StreamChange, streamChange } from './stream-changes';

export interface BroadcasterDependencies {
  readonly connections: ConnectionsReader;
  readonly poster: ConnectionPoster;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

type Change = Extract<StreamChange, { kind: 'change' }>;

/** Whether a connection hears about this change: all of its tenant's, or only its subscribed order's. */
function wants(connection: Connection, message: ChangeMessage): boolean {
  return connection.orderId === undefined || (message.type === 'order' && message.id === connection.orderId);
}

/**
 * Pushes every order and job change of a stream batch to the connections of that change's tenant only.
 *
 * - Connections are read with one Query per tenant per batch, not one per record.
 * - A tenant's changes are posted in stream order (each to all its connections at once); tenants run in parallel.
 * - A connection API Gateway says is gone (410) is deleted and skipped for the rest of the batch.
 * - A post that still fails after its retries fails its record and every later record of that tenant (so no
 *   connection sees a later change before an earlier one); they are reported as batch item failures and the
 *   stream retries them. Delivery is at least once: a retried change may reach some connections twice, and
 *   `version` lets clients drop the repeat.
 * - A record that is not an order/job change is skipped; a corrupt one is logged and skipped, since retrying
 *   cannot repair it and would only hold back (then discard) the records behind it.
 */
export function createBroadcaster({ connections, poster, now = Date.now }: BroadcasterDependencies) {
  async function broadcastTenant(tenantId: string, changes: readonly Change[]): Promise<string[]> {
    let open: Connection[];
    try {
      open = await connections.listConnections(tenantId, Math.floor(now() / 1000));
    } catch (error) {
      logger.error('could not read connections', { tenantId, error: String(error) });
      return changes.map((c) => c.sequenceNumber);
    }
    for (const [index, change] of changes.entries()) {
      const data = JSON.stringify(change.message);
      const targets = open.filter((connection) => wants(connection, change.message));
      const outcomes = await Promise.allSettled(targets.map((c) => poster.post(c.connectionId, data)));
      const gone = targets.filter((_, i) => {
        const outcome = outcomes[i];
        return outcome?.status === 'fulfilled' && outcome.value === 'gone';
      });
      const delivered = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'sent').length;
      if (delivered > 0) metrics.addMetric(BROADCAST_METRICS.posted, MetricUnit.Count, delivered);
      if (gone.length > 0) metrics.addMetric(BROADCAST_METRICS.gone, MetricUnit.Count, gone.length);
      for (const connection of gone) await connections.deleteConnection(tenantId, connection.connectionId);
      if (gone.length > 0) open = open.filter((c) => !gone.includes(c));
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed.length > 0) {
        logger.warn('posts failed after retries; the stream will retry the record', {
          tenantId,
          sequenceNumber: change.sequenceNumber,
          failed: failed.length,
          error: String(failed[0]?.reason),
        });
        return changes.slice(index).map((c) => c.sequenceNumber);
      }
    }
    return [];
  }

  return {
    async broadcast(records: readonly DynamoDBRecord[]): Promise<DynamoDBBatchResponse> {
      const byTenant = new Map<string, Change[]>();
      for (const record of records) {
        const change = streamChange(record);
        if (change.kind === 'corrupt') {
          logger.error('stream record is not a valid change: skipped', {
            sequenceNumber: change.sequenceNumber,
            reason: change.reason,
          });
        } else if (change.kind === 'change') {
          byTenant.set(change.tenantId, [...(byTenant.get(change.tenantId) ?? []), change]);
        }
      }
      const failed = await Promise.all(
        [...byTenant].map(async ([tenantId, changes]) => {
          try {
            return await broadcastTenant(tenantId, changes);
          } catch (error) {
            // e.g. deleting a gone connection failed: the tenant's records are retried, nothing is lost.
            logger.error('broadcast failed', { tenantId, error: String(error) });
            return changes.map((c) => c.sequenceNumber);
          }
        }),
      );
      return { batchItemFailures: failed.flat().map((itemIdentifier) => ({ itemIdentifier })) };
    },
  };
}
