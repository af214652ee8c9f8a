import { describeTable } from './describe-table';
import type { FrontOperation } from './dynamodb-front';
import { timeToLive } from './time-to-live';
import { transactGetItems } from './transact-get-items';
import { transactWriteItems } from './transact-write-items';

/**
 * The operations the local DynamoDB endpoint answers itself, by `X-Amz-Target` operation name; every other
 * operation goes to the engine. One table per front: TransactWriteItems keeps its idempotency tokens, the TTL operations their settings.
 */
export function frontOperations(): ReadonlyMap<string, FrontOperation> {
  const ttl = timeToLive();
  return new Map<string, FrontOperation>([
    ['UpdateTimeToLive', ttl.update],
    ['DescribeTimeToLive', ttl.describe],
    ['TransactWriteItems', transactWriteItems()],
    ['TransactGetItems', transactGetItems],
    ['DescribeTable', describeTable],
  ]);
}
