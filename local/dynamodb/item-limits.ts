import type { WireItem, WireValue } from './dynamodb-errors';

/**
 * DynamoDB's document nesting limit: an attribute counts as level 1 and each map or list around a value one
 * more, so 31 maps around a scalar are stored and 32 are refused (captured against DynamoDB by the public
 * DynamoDB conformance suites).
 */
export const MAX_NESTING_LEVELS = 32;

/** DynamoDB's message for a value nested deeper than {@link MAX_NESTING_LEVELS} (bare, as PutItem answers it). */
export const NESTING_MESSAGE =
  'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';

/** Levels of a value: 1 for a scalar or an empty document, one more per enclosing map or list. */
export function nestingLevels(value: unknown): number {
  if (value === null || typeof value !== 'object') return 1;
  const av = value as WireValue;
  const children = Array.isArray(av.L)
    ? (av.L as unknown[])
    : av.M !== null && typeof av.M === 'object'
      ? Object.values(av.M as object)
      : undefined;
  if (!children) return 1;
  let deepest = 0;
  for (const child of children) deepest = Math.max(deepest, nestingLevels(child));
  return 1 + deepest;
}

function tooDeep(values: Iterable<unknown>): boolean {
  for (const value of values) if (nestingLevels(value) > MAX_NESTING_LEVELS) return true;
  return false;
}

const valuesOf = (record: unknown): unknown[] =>
  record !== null && typeof record === 'object' ? Object.values(record as object) : [];

type Input = Record<string, unknown>;

/** Every attribute value a request stores or compares, by operation (the values DynamoDB caps in depth). */
const STORED_VALUES: Readonly<Record<string, (input: Input) => unknown[]>> = {
  PutItem: (input) => [...valuesOf(input.Item), ...valuesOf(input.ExpressionAttributeValues)],
  UpdateItem: (input) => [
    ...valuesOf(input.ExpressionAttributeValues),
    ...valuesOf(input.AttributeUpdates).map((update) => (update as { Value?: unknown } | null)?.Value),
  ],
  DeleteItem: (input) => valuesOf(input.ExpressionAttributeValues),
  BatchWriteItem: (input) =>
    valuesOf(input.RequestItems).flatMap((entries) =>
      Array.isArray(entries)
        ? entries.flatMap((entry: { PutRequest?: { Item?: unknown } } | null) =>
            valuesOf(entry?.PutRequest?.Item),
          )
        : [],
    ),
  // A ConditionCheck's values are not capped (as the public conformance captures show of DynamoDB).
  TransactWriteItems: (input) =>
    (Array.isArray(input.TransactItems) ? input.TransactItems : []).flatMap((entry: Input | null) =>
      Object.entries(entry ?? {}).flatMap(([kind, action]) =>
        kind === 'ConditionCheck'
          ? []
          : [
              ...valuesOf((action as Input | null)?.Item),
              ...valuesOf((action as Input | null)?.ExpressionAttributeValues),
            ],
      ),
    ),
};

/** The longest key attribute name DynamoDB accepts, in bytes. */
export const MAX_KEY_ATTRIBUTE_NAME_BYTES = 255;

/** DynamoDB's refusal of a key attribute name over {@link MAX_KEY_ATTRIBUTE_NAME_BYTES} in a CreateTable. */
function keyNameViolation(input: Input): string | undefined {
  const lists: Array<[string, unknown]> = [
    ['attributeDefinitions', input.AttributeDefinitions],
    ['keySchema', input.KeySchema],
  ];
  for (const [field, list] of lists) {
    for (const [i, element] of (Array.isArray(list) ? list : []).entries()) {
      const name = (element as { AttributeName?: unknown } | null)?.AttributeName;
      if (typeof name === 'string' && Buffer.byteLength(name) > MAX_KEY_ATTRIBUTE_NAME_BYTES)
        return `1 validation error detected: Value '${name}' at '${field}.${i + 1}.member.attributeName' failed to satisfy constraint: Member must have length less than or equal to ${MAX_KEY_ATTRIBUTE_NAME_BYTES}`;
    }
  }
  return undefined;
}

/** DynamoDB's item size limit, in bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** DynamoDB's message for an item over {@link MAX_ITEM_BYTES}. */
export const ITEM_SIZE_MESSAGE = 'Item size has exceeded the maximum allowed size';

/**
 * The items a request stores whole, by operation. dynalite checks their size too, but counts characters, not
 * UTF-8 bytes, so an item of non-ASCII text passes it well over 400 KB.
 */
const STORED_ITEMS: Readonly<Record<string, (input: Input) => unknown[]>> = {
  PutItem: (input) => [input.Item],
  BatchWriteItem: (input) =>
    valuesOf(input.RequestItems).flatMap((entries) =>
      Array.isArray(entries)
        ? entries.map((entry: { PutRequest?: { Item?: unknown } } | null) => entry?.PutRequest?.Item)
        : [],
    ),
  TransactWriteItems: (input) =>
    (Array.isArray(input.TransactItems) ? input.TransactItems : []).map(
      (entry: { Put?: { Item?: unknown } } | null) => entry?.Put?.Item,
    ),
};

const storedValuesViolation = (operation: string, values: (input: Input) => unknown[]) => (input: Input) => {
  if (tooDeep(values(input))) return NESTING_MESSAGE;
  const items = STORED_ITEMS[operation]?.(input) ?? [];
  return items.some(
    (item) => item !== null && typeof item === 'object' && itemSize(item as WireItem) > MAX_ITEM_BYTES,
  )
    ? ITEM_SIZE_MESSAGE
    : undefined;
};

/** The limit checks dynalite lacks, by operation. */
const LIMIT_CHECKS: Readonly<Record<string, (input: Input) => string | undefined>> = {
  ...Object.fromEntries(
    Object.entries(STORED_VALUES).map(([operation, values]) => [
      operation,
      storedValuesViolation(operation, values),
    ]),
  ),
  CreateTable: keyNameViolation,
};

/**
 * The limit a request breaks that the engine (dynalite) does not check itself, as DynamoDB's message;
 * undefined when there is none. dynalite already refuses empty sets and empty key strings with DynamoDB's
 * messages; here are the nesting depth of values, the size of stored items in UTF-8 bytes, and the length of
 * key attribute names.
 */
export function itemLimitViolation(operation: string, input: Input): string | undefined {
  return LIMIT_CHECKS[operation]?.(input);
}

/**
 * An item's size as DynamoDB counts it toward its limits: the UTF-8 bytes of attribute names and string
 * values, the bytes of binaries, about one byte per two digits of a number, and a few bytes of overhead per
 * document element.
 */
export function itemSize(item: WireItem | undefined): number {
  let size = 0;
  for (const [name, value] of Object.entries(item ?? {})) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: WireValue): number {
  const [type, v] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(v));
    case 'B':
      return Buffer.from(String(v), 'base64').length;
    case 'N':
      return numberSize(String(v));
    case 'SS':
      return (v as string[]).reduce((sum, s) => sum + Buffer.byteLength(s), 0);
    case 'NS':
      return (v as string[]).reduce((sum, n) => sum + numberSize(n), 0);
    case 'BS':
      return (v as string[]).reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
    case 'L':
      return 3 + (v as WireValue[]).reduce((sum, e) => sum + 1 + valueSize(e), 0);
    case 'M':
      return 3 + Object.keys(v as object).length + itemSize(v as WireItem);
    default:
      return 1;
  }
}

function numberSize(n: string): number {
  const digits = n
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+|0+$/g, '');
  return 1 + Math.ceil(Math.max(digits.length, 1) / 2) + (n.startsWith('-') ? 1 : 0);
}
