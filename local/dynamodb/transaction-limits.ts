import { dynamoError, validationError } from './dynamodb-errors';
import type { EngineAnswer } from './engine-client';

/** Actions per TransactWriteItems or TransactGetItems request, as DynamoDB allows. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The request-level checks both transaction operations share; undefined when the list is acceptable. */
export function transactItemsError(items: unknown): EngineAnswer | undefined {
  if (!Array.isArray(items))
    return validationError(
      "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
    );
  if (items.length === 0)
    return validationError(
      "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  if (items.length > MAX_TRANSACTION_ITEMS)
    return validationError(
      `1 validation error detected: Value '[${JSON.stringify(items).slice(1, 200)}…]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS}`,
    );
  return undefined;
}

/** One entry of CancellationReasons, as DynamoDB shapes it (`None` for the actions that would have succeeded). */
export interface CancellationReason {
  readonly Code: string;
  readonly Message?: string;
  readonly Item?: Record<string, unknown>;
}

/** A TransactionCanceledException with its reasons, one per action in request order. */
export function transactionCanceled(reasons: readonly CancellationReason[]): EngineAnswer {
  return dynamoError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    { CancellationReasons: reasons },
    'Message',
  );
}
