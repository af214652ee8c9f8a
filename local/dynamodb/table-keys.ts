import type { WireItem } from './dynamodb-errors';
import type { EngineAnswer, EngineClient } from './engine-client';

/** The key attribute names of each table, read from the engine (partition key first). */
export async function tableKeys(
  engine: EngineClient,
  tableNames: readonly string[],
): Promise<{ keys: Map<string, string[]> } | { error: EngineAnswer }> {
  const keys = new Map<string, string[]>();
  for (const tableName of tableNames) {
    const answer = await engine.call('DescribeTable', { TableName: tableName });
    if (answer.status !== 200) return { error: answer };
    const schema = (answer.body.Table as { KeySchema?: Array<{ AttributeName: string; KeyType: string }> })
      .KeySchema;
    keys.set(tableName, [
      ...(schema ?? []).filter((k) => k.KeyType === 'HASH').map((k) => k.AttributeName),
      ...(schema ?? []).filter((k) => k.KeyType !== 'HASH').map((k) => k.AttributeName),
    ]);
  }
  return { keys };
}

/** The key of an item: its key attributes only. */
export function keyOf(keyNames: readonly string[], item: WireItem): WireItem {
  return Object.fromEntries(
    keyNames.flatMap((name) => (item[name] !== undefined ? [[name, item[name]]] : [])),
  );
}

/** A stable text for a value (object keys sorted), to compare requests and keys whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
