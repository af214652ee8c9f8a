import type * as z from 'zod';
import { TABLE } from '../table';
import { describeIssues } from '../validation';

/** The primary key of a stored item, as far as the item itself carries it. */
export type StoredItemKey = Readonly<Record<string, unknown>>;

/**
 * A stored item that does not decode with its entity's codec. Corrupt data is a fault of the system, never
 * the caller's: the error mapper answers it with a 500 and the request id, and logs this error (its key,
 * entity and issues are own properties, so the structured log shows them). It is never repaired with a default.
 */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';

  constructor(
    /** The entity the item was read as, e.g. `tenant profile`. */
    readonly entity: string,
    /** The item's primary key, so the item can be found and repaired. */
    readonly key: StoredItemKey,
    /** What failed, attribute by attribute (never the values themselves). */
    readonly issues: string,
    options?: ErrorOptions,
  ) {
    super(`stored ${entity} ${JSON.stringify(key)} is corrupt: ${issues}`, options);
  }
}

function keyOf(item: Record<string, unknown>): StoredItemKey {
  return { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] };
}

/**
 * Decodes a stored item with its entity's schema. The schema is an allow-list (not strict), so key attributes
 * and anything another writer added are dropped; anything that does not decode throws `CorruptItemError`.
 */
export function decodeItem<S extends z.ZodType>(
  entity: string,
  schema: S,
  item: Record<string, unknown>,
): z.output<S> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new CorruptItemError(entity, keyOf(item), describeIssues(parsed.error.issues), {
    cause: parsed.error,
  });
}

/**
 * Encodes an entity's attributes with its schema before they are written, so a writer's bug fails the write
 * instead of leaving an item every reader would refuse.
 */
export function encodeAttributes<S extends z.ZodType>(
  entity: string,
  schema: S,
  value: unknown,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(`refusing to store an invalid ${entity}: ${describeIssues(parsed.error.issues)}`, {
    cause: parsed.error,
  });
}
