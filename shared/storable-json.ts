import * as z from 'zod';

/**
 * DynamoDB refuses an item whose attributes nest deeper than 32 levels (ValidationException). Client JSON is
 * stored inside an item's own attributes (an import chunk keeps its orders in a list), so the client's part gets
 * a smaller budget, which is also far more than any valid value needs.
 */
export const DYNAMODB_MAX_NESTING = 32;

/**
 * The smallest non-zero magnitude DynamoDB stores (1E-130); the largest (under 1E+126) is far above what the
 * marshaller lets through, `Number.MAX_SAFE_INTEGER`: a larger integer has already lost digits in `JSON.parse`,
 * and lib-dynamodb refuses it rather than store a different number.
 */
const SMALLEST_STORABLE_MAGNITUDE = 1e-130;

/** Why DynamoDB (or the marshaller in front of it) would refuse `value`, or `undefined` when it can be stored. */
function numberProblem(value: number): string | undefined {
  // Messages stay under describeIssues' quoting limit (64 characters); the path says which field.
  if (!Number.isFinite(value)) return 'number out of range (it overflows to infinity)';
  const magnitude = Math.abs(value);
  if (magnitude > Number.MAX_SAFE_INTEGER)
    return 'number must be at most 9007199254740991 (2^53-1) in magnitude';
  if (magnitude !== 0 && magnitude < SMALLEST_STORABLE_MAGNITUDE) {
    return 'a non-zero number must be at least 1e-130 in magnitude';
  }
  return undefined;
}

/** One reason a JSON value cannot be stored, at `path` inside it. */
export interface StorableJsonProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * The first reason `value` (parsed JSON) cannot be stored as a DynamoDB attribute value nested at most `maxDepth`
 * levels (a scalar is depth 0, `{"a": 1}` depth 1), or `undefined`. It never descends deeper than `maxDepth + 1`,
 * so a hostile value nested a million levels costs no more than a legal one.
 */
export function storableJsonProblem(value: unknown, maxDepth: number): StorableJsonProblem | undefined {
  const visit = (node: unknown, path: (string | number)[]): StorableJsonProblem | undefined => {
    if (typeof node === 'number') {
      const message = numberProblem(node);
      return message === undefined ? undefined : { path, message };
    }
    if (node === null || typeof node !== 'object') return undefined;
    if (path.length >= maxDepth) {
      return { path, message: `nested too deeply: at most ${maxDepth} levels of objects and arrays` };
    }
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((child, index) => [index, child])
      : Object.entries(node);
    for (const [key, child] of entries) {
      const problem = visit(child, [...path, key]);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(value, []);
}

/**
 * Any JSON value that DynamoDB can store nested at most `maxDepth` levels: the schema for client JSON the
 * service keeps as it came (an import's orders), so what DynamoDB would refuse is a 400 naming the field, not a
 * 500 from the marshaller or from DynamoDB.
 */
export function storableJson(maxDepth: number) {
  return z.unknown().superRefine((value, ctx) => {
    const problem = storableJsonProblem(value, maxDepth);
    if (problem) ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
  });
}
