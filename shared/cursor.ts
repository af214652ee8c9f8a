import { ValidationError } from './errors';

type Key = Record<string, string>;

/** An opaque pagination token for a DynamoDB LastEvaluatedKey. */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | undefined {
  if (!lastEvaluatedKey) return undefined;
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

/**
 * Decodes a token back into an ExclusiveStartKey, accepting it only if it names exactly the expected key
 * attributes and its partition-key values equal the ones the current query uses. A token edited to point
 * into another tenant's partition (or anything else) is a 400, never a read.
 *
 * @param expectedPartition attribute → value that must match exactly (e.g. `{ PK: 'TENANT#t1#ORDERS' }`)
 * @param sortAttributes the remaining key attributes, each a non-empty string
 */
export function decodeCursor(
  token: string | undefined,
  expectedPartition: Key,
  sortAttributes: readonly string[],
): Key | undefined {
  if (token === undefined) return undefined;
  const invalid = new ValidationError('nextToken is invalid');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError(invalid.message, undefined, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid;
  const key = parsed as Record<string, unknown>;
  const expectedNames = [...Object.keys(expectedPartition), ...sortAttributes].sort();
  const names = Object.keys(key).sort();
  if (names.length !== expectedNames.length || names.some((n, i) => n !== expectedNames[i])) throw invalid;
  for (const [name, value] of Object.entries(expectedPartition)) {
    if (key[name] !== value) throw invalid;
  }
  for (const name of sortAttributes) {
    if (typeof key[name] !== 'string' || key[name] === '') throw invalid;
  }
  return key as Key;
}
