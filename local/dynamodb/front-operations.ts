import { describeTable } from './describe-table';
import type { FrontOperation } from './dynamodb-front';
import { transactGetItems } from './transact-get-items';
import { transactWriteItems } from './transact-write-items';

/**
 * The operations the local DynamoDB endpoint answers itself, by `X-Amz-Target` operation name; every other
 * operation goes to the engine. One table per front, as TransactWriteItems keeps its idempotency tokens.
 */
export function frontOperations(): ReadonlyMap<string, FrontOperation> {
  return new Map<string, FrontOperation>([
    ['TransactWriteItems', transactWriteItems()],
    ['TransactGetItems', transactGetItems],
    ['DescribeTable', describeTable],
  ]);
}
