/**
 * Lambda event filtering (FilterCriteria on an event-source mapping), as AWS applies it: a record is handed
 * to the function when any filter's pattern matches it; records that match none are dropped (SQS messages are
 * deleted, stream records skipped), never retried. Patterns use the EventBridge syntax Lambda accepts: nested
 * keys, arrays of alternatives, `null`, `""`, `prefix`, `suffix`, `anything-but`, `numeric`, `exists`,
 * `equals-ignore-case`. Matching is exact and case-sensitive unless the operator says otherwise.
 */

type Pattern = { readonly [key: string]: unknown };

/** Parsed filters of one mapping; `undefined` criteria (no filtering) match everything. */
export class EventFilter {
  private constructor(private readonly patterns: readonly Pattern[]) {}

  /** Parses `FilterCriteria` as the template gives it (`{Filters: [{Pattern: "<json>"}]}`). */
  static fromCriteria(criteria: unknown): EventFilter {
    const filters = (criteria as { Filters?: unknown } | undefined)?.Filters;
    if (!Array.isArray(filters) || filters.length === 0) return new EventFilter([]);
    const patterns = filters.map((filter, index) => {
      const text = (filter as { Pattern?: unknown }).Pattern;
      if (typeof text !== 'string')
        throw new Error(`FilterCriteria.Filters[${index}].Pattern must be a string`);
      const pattern = JSON.parse(text) as unknown;
      if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
        throw new Error(
          `FilterCriteria.Filters[${index}].Pattern must be a JSON object, got ${text.slice(0, 60)}`,
        );
      }
      return pattern as Pattern;
    });
    return new EventFilter(patterns);
  }

  /** True when there is no filter or any pattern matches the record. */
  matches(record: unknown): boolean {
    return this.patterns.length === 0 || this.patterns.some((pattern) => matchObject(pattern, record));
  }
}

function matchObject(pattern: Pattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const present = typeof value === 'object' && value !== null && !Array.isArray(value) && key in value;
    const child = present ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(rule)) return matchAlternatives(rule, present, child);
    if (typeof rule === 'object' && rule !== null) return present && matchNested(rule as Pattern, child);
    throw new Error(`filter pattern value for "${key}" must be an array or an object`);
  });
}

function matchNested(pattern: Pattern, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => matchObject(pattern, item));
  return matchObject(pattern, value);
}

/** A leaf: the field matches when any alternative matches it (or, for arrays in the record, any element). */
function matchAlternatives(alternatives: readonly unknown[], present: boolean, value: unknown): boolean {
  return alternatives.some((alternative) => {
    if (isOperator(alternative) && 'exists' in alternative) return alternative.exists === present;
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((item) => matchLeaf(alternative, item));
  });
}

function isOperator(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchLeaf(rule: unknown, value: unknown): boolean {
  if (!isOperator(rule)) return rule === value;
  const [operator, operand] = Object.entries(rule)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'suffix':
      return typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      return (
        typeof value === 'string' &&
        typeof operand === 'string' &&
        value.toLowerCase() === operand.toLowerCase()
      );
    case 'anything-but':
      return !anythingButExcludes(operand, value);
    case 'numeric':
      return matchNumeric(operand, value);
    default:
      throw new Error(`unsupported filter operator "${operator}"`);
  }
}

function anythingButExcludes(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return operand.includes(value);
  if (isOperator(operand)) return matchLeaf(operand, value);
  return operand === value;
}

function matchNumeric(operand: unknown, value: unknown): boolean {
  if (!Array.isArray(operand) || typeof value !== 'number') return false;
  for (let i = 0; i + 1 < operand.length; i += 2) {
    const op = operand[i];
    const bound = Number(operand[i + 1]);
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
}
