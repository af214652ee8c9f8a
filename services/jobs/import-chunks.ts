/**
 * Bytes of JSON one input chunk may hold: DynamoDB items are at most 400 KB, and the chunk item carries its
 * keys and attribute names too.
 */
export const MAX_CHUNK_BYTES = 300 * 1024;

/** A slice of an import's orders as stored: `offset` is the index of its first order in the request. */
export interface ImportChunk {
  readonly offset: number;
  readonly orders: readonly unknown[];
}

/**
 * Splits an import's orders into chunks of at most `maxBytes` of JSON each, in order, so that any import the
 * API accepts can be stored whatever the orders' sizes. Each order must itself fit (the API checks it first).
 */
export function splitIntoChunks(orders: readonly unknown[], maxBytes = MAX_CHUNK_BYTES): ImportChunk[] {
  const chunks: ImportChunk[] = [];
  let current: unknown[] = [];
  let offset = 0;
  let bytes = 0;
  orders.forEach((order, index) => {
    const size = jsonBytes(order) + 1;
    if (size > maxBytes) throw new Error(`order ${index} is ${size} bytes, more than a chunk holds`);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push({ offset, orders: current });
      current = [];
      offset = index;
      bytes = 0;
    }
    current.push(order);
    bytes += size;
  });
  if (current.length > 0) chunks.push({ offset, orders: current });
  return chunks;
}

/** The size of `value` as UTF-8 JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null');
}
