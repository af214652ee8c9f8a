/**
 * How Lambda reads a function's response when the mapping has `FunctionResponseTypes:
 * [ReportBatchItemFailures]` (SQS, Kinesis and DynamoDB streams alike): a null/empty response or an empty/null
 * `batchItemFailures` list succeeds the whole batch; each entry's `itemIdentifier` names one failed record; a
 * malformed response, an empty/null identifier or one that names no record of the batch fails the whole batch.
 */
export type BatchOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failed: ReadonlySet<string> }
  | { readonly kind: 'failure'; readonly reason: string };

/** Interprets a function's result for a batch whose records have the given identifiers. */
export function batchOutcome(
  result: unknown,
  identifiers: readonly string[],
  reportsItemFailures: boolean,
): BatchOutcome {
  if (!reportsItemFailures || result === null || result === undefined) return { kind: 'success' };
  if (typeof result !== 'object' || Array.isArray(result)) {
    // AWS fails the batch on "an invalid JSON response"; a string, number or list cannot be the documented
    // shape, so it is read as malformed (UNCONFIRMED for non-object JSON: the likeliest reading).
    return { kind: 'failure', reason: `the response is not an object (${typeof result})` };
  }
  const list = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === null || list === undefined) return { kind: 'success' };
  if (!Array.isArray(list)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (list.length === 0) return { kind: 'success' };
  const known = new Set(identifiers);
  const failed = new Set<string>();
  for (const entry of list) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'failure', reason: 'a batchItemFailures entry has an empty or missing itemIdentifier' };
    }
    if (!known.has(id)) {
      return { kind: 'failure', reason: `itemIdentifier ${id.slice(0, 80)} is not a record of this batch` };
    }
    failed.add(id);
  }
  return { kind: 'partial', failed };
}
