import type { LocalCloudModel } from '../model';
import type { CallToAuthorize } from './call-authority';

type Input = Record<string, unknown>;
type WireItem = Record<string, Record<string, unknown>>;

/** A table's ARN and the partition key of the table and of each index. */
interface TableKeys {
  readonly arn: string;
  readonly partitionKey: string | undefined;
  readonly indexPartitionKeys: ReadonlyMap<string, string | undefined>;
}

type KeySchema = ReadonlyArray<{ AttributeName?: string; KeyType?: string }> | undefined;
const hashKeyOf = (schema: KeySchema) => schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;

/** The tables of a template as IAM sees DynamoDB calls to them: by name, their ARN and partition keys. */
export function dynamoDbTables(model: LocalCloudModel): ReadonlyMap<string, TableKeys> {
  const tables = new Map<string, TableKeys>();
  for (const resource of model.resources) {
    if (resource.type !== 'AWS::DynamoDB::Table' && resource.type !== 'AWS::DynamoDB::GlobalTable') continue;
    const props = resource.properties as {
      KeySchema?: KeySchema;
      GlobalSecondaryIndexes?: Array<{ IndexName?: string; KeySchema?: KeySchema }>;
      LocalSecondaryIndexes?: Array<{ IndexName?: string; KeySchema?: KeySchema }>;
    };
    const indexes = [...(props.GlobalSecondaryIndexes ?? []), ...(props.LocalSecondaryIndexes ?? [])];
    tables.set(resource.physicalId, {
      arn: resource.attributes.Arn ?? '',
      partitionKey: hashKeyOf(props.KeySchema),
      indexPartitionKeys: new Map(
        indexes.map((index) => [String(index.IndexName), hashKeyOf(index.KeySchema)]),
      ),
    });
  }
  return tables;
}

/** A key attribute's value as IAM compares it: the scalar's text. */
function scalar(value: Record<string, unknown> | undefined): string | undefined {
  if (value === undefined) return undefined;
  const inner = value.S ?? value.N ?? value.B;
  return inner === undefined ? undefined : String(inner);
}

/** Attribute names an expression names (`#n` resolved through ExpressionAttributeNames, bare words as they are). */
function expressionNames(expression: unknown, names: unknown): string[] {
  if (typeof expression !== 'string') return [];
  const map = (names ?? {}) as Record<string, string>;
  return (expression.match(/#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*/g) ?? [])
    .map((token) => (token.startsWith('#') ? map[token] : token))
    .filter((name): name is string => name !== undefined)
    .filter(
      (name) =>
        !/^(AND|OR|NOT|BETWEEN|IN|SET|REMOVE|ADD|DELETE|if_not_exists|list_append|attribute_exists|attribute_not_exists|attribute_type|begins_with|contains|size)$/i.test(
          name,
        ),
    );
}

/** The partition key value a Query's key condition fixes (`#pk = :v`, either side), if any. */
function queryPartitionValue(input: Input, partitionKey: string | undefined): string | undefined {
  if (partitionKey === undefined) return undefined;
  const legacy = (
    input.KeyConditions as Record<string, { AttributeValueList?: Array<Record<string, unknown>> }>
  )?.[partitionKey];
  if (legacy) return scalar(legacy.AttributeValueList?.[0]);
  const expression = input.KeyConditionExpression;
  if (typeof expression !== 'string') return undefined;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, Record<string, unknown>>;
  for (const clause of expression.split(/\s+and\s+/i)) {
    const match = /^\s*\(?\s*([#:]?[\w.]+)\s*=\s*([#:]?[\w.]+)\s*\)?\s*$/.exec(clause);
    if (!match) continue;
    const [, left = '', right = ''] = match;
    const nameOf = (token: string) => (token.startsWith('#') ? names[token] : token);
    if (nameOf(left) === partitionKey && right.startsWith(':')) return scalar(values[right]);
    if (nameOf(right) === partitionKey && left.startsWith(':')) return scalar(values[left]);
  }
  return undefined;
}

function context(
  leadingKeys: ReadonlyArray<string | undefined>,
  attributes: readonly string[],
  input: Input,
) {
  const keys = leadingKeys.filter((k): k is string => k !== undefined);
  return {
    ...(keys.length > 0 ? { 'dynamodb:LeadingKeys': keys } : {}),
    ...(attributes.length > 0 ? { 'dynamodb:Attributes': [...new Set(attributes)] } : {}),
    ...(typeof input.Select === 'string' ? { 'dynamodb:Select': input.Select } : {}),
    ...(typeof input.ReturnValues === 'string' ? { 'dynamodb:ReturnValues': input.ReturnValues } : {}),
    ...(typeof input.ReturnConsumedCapacity === 'string'
      ? { 'dynamodb:ReturnConsumedCapacity': input.ReturnConsumedCapacity }
      : {}),
  };
}

/** The attribute names a single-item request reads or writes (for `dynamodb:Attributes`). */
function attributesOf(operation: string, input: Input): string[] {
  const keyNames = Object.keys((input.Key ?? {}) as object);
  switch (operation) {
    case 'PutItem':
      return Object.keys((input.Item ?? {}) as object);
    case 'GetItem':
    case 'Query':
    case 'Scan':
      return [
        ...keyNames,
        ...((input.AttributesToGet ?? []) as string[]),
        ...expressionNames(input.ProjectionExpression, input.ExpressionAttributeNames),
      ];
    case 'UpdateItem':
      return [
        ...keyNames,
        ...Object.keys((input.AttributeUpdates ?? {}) as object),
        ...expressionNames(input.UpdateExpression, input.ExpressionAttributeNames),
      ];
    default:
      return keyNames;
  }
}

type Mapper = (
  input: Input,
  tables: ReadonlyMap<string, TableKeys>,
  arnOf: (table: string) => string,
) => CallToAuthorize[];

const single =
  (operation: string, itemOf: (input: Input) => unknown): Mapper =>
  (input, tables, arnOf) => {
    const table = String(input.TableName ?? '');
    const item = (itemOf(input) ?? {}) as WireItem;
    const partitionKey = tables.get(table)?.partitionKey;
    return [
      {
        action: `dynamodb:${operation}`,
        resource: arnOf(table),
        context: context(
          [partitionKey === undefined ? undefined : scalar(item[partitionKey])],
          attributesOf(operation, input),
          input,
        ),
      },
    ];
  };

const onIndex =
  (operation: 'Query' | 'Scan'): Mapper =>
  (input, tables, arnOf) => {
    const table = String(input.TableName ?? '');
    const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
    const keys = tables.get(table);
    const partitionKey = index === undefined ? keys?.partitionKey : keys?.indexPartitionKeys.get(index);
    return [
      {
        action: `dynamodb:${operation}`,
        resource: index === undefined ? arnOf(table) : `${arnOf(table)}/index/${index}`,
        context: context(
          operation === 'Query' ? [queryPartitionValue(input, partitionKey)] : [],
          attributesOf(operation, input),
          input,
        ),
      },
    ];
  };

const batchGet: Mapper = (input, tables, arnOf) =>
  Object.entries((input.RequestItems ?? {}) as Record<string, { Keys?: WireItem[] }>).map(
    ([table, request]) => {
      const partitionKey = tables.get(table)?.partitionKey;
      return {
        action: 'dynamodb:BatchGetItem',
        resource: arnOf(table),
        context: context(
          (request?.Keys ?? []).map((key) =>
            partitionKey === undefined ? undefined : scalar(key[partitionKey]),
          ),
          [],
          input,
        ),
      };
    },
  );

const batchWrite: Mapper = (input, tables, arnOf) =>
  Object.entries(
    (input.RequestItems ?? {}) as Record<
      string,
      Array<{ PutRequest?: { Item?: WireItem }; DeleteRequest?: { Key?: WireItem } }>
    >,
  ).map(([table, requests]) => {
    const partitionKey = tables.get(table)?.partitionKey;
    return {
      action: 'dynamodb:BatchWriteItem',
      resource: arnOf(table),
      context: context(
        (Array.isArray(requests) ? requests : []).map((r) => {
          const item = r?.PutRequest?.Item ?? r?.DeleteRequest?.Key ?? {};
          return partitionKey === undefined ? undefined : scalar(item[partitionKey]);
        }),
        [],
        input,
      ),
    };
  });

/** A transaction is authorized item by item, each as the single-item operation it performs. */
const transactWrite: Mapper = (input, tables, arnOf) =>
  ((input.TransactItems ?? []) as Array<Record<string, Input>>).flatMap((entry) =>
    Object.entries(entry ?? {}).flatMap(([kind, item]) => {
      const operation = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
      }[kind];
      if (operation === undefined) return [];
      return single(operation, (i) => (kind === 'Put' ? i.Item : i.Key))(item, tables, arnOf);
    }),
  );

const transactGet: Mapper = (input, tables, arnOf) =>
  ((input.TransactItems ?? []) as Array<{ Get?: Input }>).flatMap((entry) =>
    entry?.Get ? single('GetItem', (i) => i.Key)(entry.Get, tables, arnOf) : [],
  );

const onTable =
  (operation: string): Mapper =>
  (input, _tables, arnOf) => [
    { action: `dynamodb:${operation}`, resource: arnOf(String(input.TableName ?? input.ResourceArn ?? '')) },
  ];

/** How each operation (X-Amz-Target) maps to IAM calls; operations not listed map to `dynamodb:<Op>` on `*`. */
const MAPPERS: Readonly<Record<string, Mapper>> = {
  GetItem: single('GetItem', (i) => i.Key),
  PutItem: single('PutItem', (i) => i.Item),
  UpdateItem: single('UpdateItem', (i) => i.Key),
  DeleteItem: single('DeleteItem', (i) => i.Key),
  Query: onIndex('Query'),
  Scan: onIndex('Scan'),
  BatchGetItem: batchGet,
  BatchWriteItem: batchWrite,
  TransactWriteItems: transactWrite,
  TransactGetItems: transactGet,
  DescribeTable: onTable('DescribeTable'),
  DescribeTimeToLive: onTable('DescribeTimeToLive'),
  UpdateTimeToLive: onTable('UpdateTimeToLive'),
  DeleteTable: onTable('DeleteTable'),
  UpdateTable: onTable('UpdateTable'),
  CreateTable: onTable('CreateTable'),
  DescribeContinuousBackups: onTable('DescribeContinuousBackups'),
};

/**
 * The IAM calls one DynamoDB request makes, as DynamoDB authorizes them: `dynamodb:<Operation>` on the table's ARN
 * (its index's for a Query or Scan on one), with `dynamodb:LeadingKeys` (the partition key values the request
 * names: an item's, a Query's key condition's, each of a batch's), `dynamodb:Attributes` (the attribute names it
 * reads or writes), `dynamodb:Select` and `dynamodb:ReturnValues`. A transaction is one call per item.
 */
export function dynamoDbCalls(
  operation: string,
  input: Input,
  tables: ReadonlyMap<string, TableKeys>,
  region: string,
  accountId: string,
): CallToAuthorize[] {
  const arnOf = (table: string) =>
    table.startsWith('arn:')
      ? table
      : (tables.get(table)?.arn ?? `arn:aws:dynamodb:${region}:${accountId}:table/${table}`);
  const mapper = MAPPERS[operation];
  if (mapper) return mapper(input, tables, arnOf);
  return [{ action: `dynamodb:${operation}`, resource: '*' }];
}
