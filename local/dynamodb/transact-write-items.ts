import {
  dynamoError,
  inDynamoDbWording,
  jsonAnswer,
  validationError,
  type WireItem,
} from './dynamodb-errors';
import type { DynamoDbFront, FrontOperation } from './dynamodb-front';
import { type EngineAnswer, errorMessage, errorName } from './engine-client';
import { itemSize } from './item-limits';
import { canonical, keyOf, tableKeys } from './table-keys';
import { type CancellationReason, transactItemsError, transactionCanceled } from './transaction-limits';

/** The aggregate size of a transaction's items DynamoDB accepts. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** How long a ClientRequestToken makes a repeated TransactWriteItems a no-op, as DynamoDB keeps it. */
export const CLIENT_TOKEN_TTL_MS = 10 * 60 * 1000;

type ActionKind = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
const ACTION_KINDS: readonly ActionKind[] = ['ConditionCheck', 'Put', 'Delete', 'Update'];

interface Action {
  readonly kind: ActionKind;
  readonly tableName: string;
  readonly params: Record<string, unknown>;
  key: WireItem;
}

/** `#name` and `:value` placeholders an expression refers to. */
function placeholders(expression: unknown, sigil: '#' | ':'): Set<string> {
  const pattern = sigil === '#' ? /#[A-Za-z0-9_]+/g : /:[A-Za-z0-9_]+/g;
  return new Set(typeof expression === 'string' ? (expression.match(pattern) ?? []) : []);
}

/** Expression attribute names and values restricted to those the given expressions use. */
function expressionParams(
  params: Record<string, unknown>,
  ...expressions: unknown[]
): Record<string, unknown> {
  const names = new Set(expressions.flatMap((e) => [...placeholders(e, '#')]));
  const values = new Set(expressions.flatMap((e) => [...placeholders(e, ':')]));
  const pick = (record: unknown, used: Set<string>) =>
    Object.fromEntries(Object.entries((record ?? {}) as object).filter(([k]) => used.has(k)));
  const picked = {
    ExpressionAttributeNames: pick(params.ExpressionAttributeNames, names),
    ExpressionAttributeValues: pick(params.ExpressionAttributeValues, values),
  };
  return Object.fromEntries(Object.entries(picked).filter(([, v]) => Object.keys(v).length > 0));
}

/** DynamoDB's refusal of expression attribute names or values no expression of the action uses. */
function unusedPlaceholders(action: Action): string | undefined {
  const expressions = [action.params.ConditionExpression, action.params.UpdateExpression];
  for (const [field, sigil] of [
    ['ExpressionAttributeNames', '#'],
    ['ExpressionAttributeValues', ':'],
  ] as const) {
    const used = new Set(expressions.flatMap((e) => [...placeholders(e, sigil)]));
    const unused = Object.keys((action.params[field] ?? {}) as object).filter((k) => !used.has(k));
    if (unused.length > 0)
      return `Value provided in ${field} unused in expressions: keys: {${unused.join(', ')}}`;
  }
  return undefined;
}

/** The bytes an action adds to the transaction's aggregate size. */
function actionSize(action: Action): number {
  if (action.kind === 'Put') return itemSize(action.params.Item as WireItem);
  return itemSize(action.key) + itemSize(action.params.ExpressionAttributeValues as WireItem);
}

/**
 * TransactWriteItems on an engine without transactions (dynalite): up to 100 Put, Update, Delete and
 * ConditionCheck actions on distinct items, all or nothing. Under the write locks of every table involved
 * (no other write through the endpoint interleaves, and reads wait), each item is read, every condition is
 * checked against it through the engine (a no-op conditional write: the item written back as it is, or a
 * delete of an absent item), and only when all hold are the writes applied, then one stream record per
 * item written. A write the engine still refuses at that point (an update expression that does not fit the
 * item) rolls the applied ones back before anyone could read them. ClientRequestToken makes a repeated
 * request a no-op for 10 minutes, and the same token with other parameters an IdempotentParameterMismatch.
 */
export function transactWriteItems(clock: () => number = Date.now): FrontOperation {
  const tokens = new Map<string, { readonly request: string; readonly at: number }>();
  return async (front, input) => {
    const listError = transactItemsError(input.TransactItems);
    if (listError) return listError;
    const actions: Action[] = [];
    for (const entry of input.TransactItems as Array<Record<string, unknown> | null>) {
      const kinds = ACTION_KINDS.filter((kind) => entry?.[kind] != null);
      if (kinds.length !== 1)
        return validationError('TransactItems can only contain one of Check, Put, Update or Delete');
      const kind = kinds[0] as ActionKind;
      const params = entry?.[kind] as Record<string, unknown>;
      if (typeof params.TableName !== 'string')
        return validationError(
          `1 validation error detected: Value null at 'transactItems.${actions.length + 1}.member.${kind.charAt(0).toLowerCase()}${kind.slice(1)}.tableName' failed to satisfy constraint: Member must not be null`,
        );
      if (kind === 'Update' && typeof params.UpdateExpression !== 'string')
        return validationError(
          `1 validation error detected: Value null at 'transactItems.${actions.length + 1}.member.update.updateExpression' failed to satisfy constraint: Member must not be null`,
        );
      if (kind === 'ConditionCheck' && typeof params.ConditionExpression !== 'string')
        return validationError(
          `1 validation error detected: Value null at 'transactItems.${actions.length + 1}.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null`,
        );
      actions.push({ kind, tableName: params.TableName, params, key: (params.Key ?? {}) as WireItem });
    }
    for (const action of actions) {
      const unused = unusedPlaceholders(action);
      if (unused) return validationError(unused);
    }
    if (actions.reduce((sum, action) => sum + actionSize(action), 0) > MAX_TRANSACTION_BYTES)
      return validationError(
        'Collection size of items exceeded, which can also be caused by the aggregate size of the items in the transaction exceeding the 4MB limit',
      );

    const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    const request = canonical(input.TransactItems);
    /** The answer to a token seen in the last 10 minutes; checked under the locks, so a retry racing its original waits for it. */
    const repeated = (): EngineAnswer | undefined => {
      const now = clock();
      for (const [t, seen] of tokens) if (now - seen.at > CLIENT_TOKEN_TTL_MS) tokens.delete(t);
      const seen = token === undefined ? undefined : tokens.get(token);
      if (!seen) return undefined;
      return seen.request === request
        ? jsonAnswer(200, {})
        : dynamoError(
            'IdempotentParameterMismatchException',
            'ClientRequestToken was already used by a TransactWriteItems request with other parameters',
          );
    };

    const tableNames = [...new Set(actions.map((a) => a.tableName))].sort();
    const schemas = await tableKeys(front.engine, tableNames);
    if ('error' in schemas)
      return errorName(schemas.error) === 'ResourceNotFoundException'
        ? dynamoError('ResourceNotFoundException', 'Requested resource not found')
        : schemas.error;
    const targets = new Set<string>();
    for (const action of actions) {
      if (action.kind === 'Put')
        action.key = keyOf(schemas.keys.get(action.tableName) ?? [], (action.params.Item ?? {}) as WireItem);
      const target = `${action.tableName}\u0000${canonical(action.key)}`;
      if (targets.has(target))
        return validationError('Transaction request cannot include multiple operations on one item');
      targets.add(target);
    }

    return front.withLocks(tableNames, async () => {
      const earlier = repeated();
      if (earlier) return earlier;
      const answer = await commit(front, actions);
      if (answer.status === 200 && token !== undefined) tokens.set(token, { request, at: clock() });
      return answer;
    });
  };
}

async function commit(front: DynamoDbFront, actions: readonly Action[]): Promise<EngineAnswer> {
  const { engine } = front;
  const reasons: CancellationReason[] = actions.map(() => ({ Code: 'None' }));
  const before: Array<WireItem | undefined> = [];
  for (const [i, action] of actions.entries()) {
    const read = await engine.call('GetItem', {
      TableName: action.tableName,
      Key: action.key,
      ConsistentRead: true,
    });
    if (read.status !== 200) {
      // An empty key value is refused for the whole request; a key that does not fit the schema cancels.
      if (/empty (string|binary) value/.test(errorMessage(read))) return inDynamoDbWording(read);
      reasons[i] = { Code: 'ValidationError', Message: errorMessage(read) };
    }
    before.push(read.body.Item as WireItem | undefined);
  }
  for (const [i, action] of actions.entries()) {
    if (reasons[i]?.Code !== 'None' || typeof action.params.ConditionExpression !== 'string') continue;
    const item = before[i];
    const condition = {
      TableName: action.tableName,
      ConditionExpression: action.params.ConditionExpression,
      ...expressionParams(action.params, action.params.ConditionExpression),
    };
    // Evaluated by the engine against the item as it is, by a write that changes nothing when it passes.
    const check = item
      ? await engine.call('PutItem', { ...condition, Item: item })
      : await engine.call('DeleteItem', { ...condition, Key: action.key });
    if (check.status === 200) continue;
    if (errorName(check) !== 'ConditionalCheckFailedException') return check;
    reasons[i] = {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(item && action.params.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: item } : {}),
    };
  }
  if (reasons.some((r) => r.Code !== 'None')) return transactionCanceled(reasons);

  const applied: number[] = [];
  const after: Array<WireItem | undefined> = [];
  for (const [i, action] of actions.entries()) {
    if (action.kind === 'ConditionCheck') continue;
    const write = await engine.call(...writeOf(action));
    if (write.status !== 200) {
      await rollBack(front, actions, before, applied);
      reasons[i] = { Code: 'ValidationError', Message: errorMessage(write) };
      return transactionCanceled(reasons);
    }
    applied.push(i);
    // The after-image only feeds a stream record: a table without a stream needs no read.
    if (front.streamOf(action.tableName) === undefined) continue;
    const read = await engine.call('GetItem', {
      TableName: action.tableName,
      Key: action.key,
      ConsistentRead: true,
    });
    after[i] = read.body.Item as WireItem | undefined;
  }
  for (const i of applied) {
    const action = actions[i] as Action;
    front.recordChange(action.tableName, before[i], after[i], action.key);
  }
  return jsonAnswer(200, {});
}

function writeOf(action: Action): [string, Record<string, unknown>] {
  const { tableName: TableName, params, key: Key } = action;
  switch (action.kind) {
    case 'Put':
      return ['PutItem', { TableName, Item: params.Item }];
    case 'Delete':
      return ['DeleteItem', { TableName, Key }];
    default:
      return [
        'UpdateItem',
        {
          TableName,
          Key,
          UpdateExpression: params.UpdateExpression,
          ...expressionParams(params, params.UpdateExpression),
        },
      ];
  }
}

/** Puts back what the applied writes replaced (in reverse order), so a refused transaction leaves no trace. */
async function rollBack(
  front: DynamoDbFront,
  actions: readonly Action[],
  before: ReadonlyArray<WireItem | undefined>,
  applied: readonly number[],
): Promise<void> {
  for (const i of [...applied].reverse()) {
    const action = actions[i] as Action;
    const item = before[i];
    await (item
      ? front.engine.call('PutItem', { TableName: action.tableName, Item: item })
      : front.engine.call('DeleteItem', { TableName: action.tableName, Key: action.key }));
  }
}
