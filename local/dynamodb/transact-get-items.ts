import { dynamoError, jsonAnswer, validationError } from './dynamodb-errors';
import type { FrontOperation } from './dynamodb-front';
import { errorMessage, errorName } from './engine-client';
import { type CancellationReason, transactItemsError, transactionCanceled } from './transaction-limits';

/**
 * TransactGetItems on an engine without transactions (dynalite): up to 100 Gets read under the tables' write
 * locks, so they see no write half done (every write through the local endpoint takes those locks). A key that
 * does not fit its table cancels the request with a `ValidationError` reason, as DynamoDB does; a missing item
 * is an empty response in its place.
 */
export const transactGetItems: FrontOperation = async (front, input) => {
  const listError = transactItemsError(input.TransactItems);
  if (listError) return listError;
  const gets = (input.TransactItems as Array<{ Get?: Record<string, unknown> } | null>).map(
    (entry) => entry?.Get,
  );
  if (gets.some((get) => !get || typeof get.TableName !== 'string'))
    return validationError(
      "1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null",
    );
  const tableNames = [...new Set(gets.map((get) => String(get?.TableName)))].sort();
  return front.withLocks(tableNames, async () => {
    const reasons: CancellationReason[] = [];
    const responses: Array<Record<string, unknown>> = [];
    for (const get of gets) {
      const read = await front.engine.call('GetItem', { ...get, ConsistentRead: true });
      if (read.status === 200) {
        reasons.push({ Code: 'None' });
        responses.push(read.body.Item ? { Item: read.body.Item } : {});
        continue;
      }
      if (errorName(read) === 'ResourceNotFoundException')
        return dynamoError('ResourceNotFoundException', 'Requested resource not found');
      // An expression DynamoDB cannot parse is refused for the whole request; a key that does not fit cancels.
      if (errorName(read) !== 'ValidationException' || errorMessage(read).startsWith('Invalid ')) return read;
      reasons.push({ Code: 'ValidationError', Message: errorMessage(read) });
      responses.push({});
    }
    return reasons.some((r) => r.Code !== 'None')
      ? transactionCanceled(reasons)
      : jsonAnswer(200, { Responses: responses });
  });
};
