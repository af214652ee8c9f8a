/**
 * IAM's condition operators, its wildcard matching and its policy variables, as the IAM User Guide's
 * "IAM JSON policy elements: Condition operators" and "Policy variables" describe them.
 */

/** What a request carries for the condition keys: key (lowercased) → one value or several (a multivalued key). */
export type RequestContext = ReadonlyMap<string, string | readonly string[]>;

const globCache = new Map<string, RegExp>();

/**
 * IAM's wildcard match: `*` any run of characters (slashes and colons included), `?` one character, the rest
 * literal. Compiled once per pattern (policies are parsed once, evaluated on every call).
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?'))
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = globCache.get(cacheKey);
  if (regex === undefined) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'si' : 's');
    globCache.set(cacheKey, regex);
  }
  return regex.test(value);
}

/**
 * ARN matching as ArnLike and the Resource element do it: the first five colon-separated parts (arn,
 * partition, service, region, account) each matched on their own, the resource part (which may hold colons)
 * as a whole.
 */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  // Most policy resources name one ARN exactly: no need to split it.
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === arn;
  const p = splitArn(pattern);
  const a = splitArn(arn);
  if (p === undefined || a === undefined) return globMatch(pattern, arn);
  return p.every((part, i) => globMatch(part, a[i] ?? ''));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

const VARIABLE = /\$\{([^}]+)\}/g;
const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/**
 * Replaces the policy variables of a Resource or condition value (`${aws:PrincipalTag/team}`, `${aws:username}`,
 * `${key, 'default'}`) with the request's values. A variable the request has no value for (and no default) makes
 * the whole value match nothing: undefined. The escapes `${*}` `${?}` `${$}` become their character; IAM then
 * matches that `*` or `?` literally, which this approximation does not (it matches it as a wildcard).
 */
export function substituteVariables(value: string, context: RequestContext): string | undefined {
  if (!value.includes('${')) return value;
  let missing = false;
  const substituted = value.replace(VARIABLE, (_whole, inner: string) => {
    const escaped = ESCAPES[inner.trim()];
    if (escaped !== undefined) return escaped;
    const [key = '', fallback] = inner.split(',').map((part) => part.trim());
    const found = context.get(key.toLowerCase());
    const single = Array.isArray(found) ? undefined : (found as string | undefined);
    if (single !== undefined) return single;
    const defaultValue = fallback?.match(/^'(.*)'$/)?.[1];
    if (defaultValue !== undefined) return defaultValue;
    missing = true;
    return '';
  });
  return missing ? undefined : substituted;
}

/** Compares one request value with one policy value (already substituted). */
type Comparator = (requestValue: string, policyValue: string) => boolean;

const number = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
const date = (text: string): number => (/^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text));

/** The base operators (without `ForAllValues:`/`ForAnyValue:` or `IfExists`), each a comparator and whether it is negated. */
const OPERATORS: Readonly<Record<string, { readonly compare: Comparator; readonly negated: boolean }>> = {
  stringequals: { compare: (r, p) => r === p, negated: false },
  stringnotequals: { compare: (r, p) => r === p, negated: true },
  stringequalsignorecase: { compare: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  stringnotequalsignorecase: { compare: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: true },
  stringlike: { compare: (r, p) => globMatch(p, r), negated: false },
  stringnotlike: { compare: (r, p) => globMatch(p, r), negated: true },
  numericequals: { compare: (r, p) => number(r) === number(p), negated: false },
  numericnotequals: { compare: (r, p) => number(r) === number(p), negated: true },
  numericlessthan: { compare: (r, p) => number(r) < number(p), negated: false },
  numericlessthanequals: { compare: (r, p) => number(r) <= number(p), negated: false },
  numericgreaterthan: { compare: (r, p) => number(r) > number(p), negated: false },
  numericgreaterthanequals: { compare: (r, p) => number(r) >= number(p), negated: false },
  dateequals: { compare: (r, p) => date(r) === date(p), negated: false },
  datenotequals: { compare: (r, p) => date(r) === date(p), negated: true },
  datelessthan: { compare: (r, p) => date(r) < date(p), negated: false },
  datelessthanequals: { compare: (r, p) => date(r) <= date(p), negated: false },
  dategreaterthan: { compare: (r, p) => date(r) > date(p), negated: false },
  dategreaterthanequals: { compare: (r, p) => date(r) >= date(p), negated: false },
  bool: { compare: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  binaryequals: { compare: (r, p) => r === p, negated: false },
  ipaddress: { compare: (r, p) => r === p || globMatch(p.replace(/\/\d+$/, '*'), r), negated: false },
  notipaddress: { compare: (r, p) => r === p || globMatch(p.replace(/\/\d+$/, '*'), r), negated: true },
  // ArnEquals takes wildcards as ArnLike does (the IAM User Guide documents them as the same match).
  arnequals: { compare: (r, p) => arnMatch(p, r), negated: false },
  arnlike: { compare: (r, p) => arnMatch(p, r), negated: false },
  arnnotequals: { compare: (r, p) => arnMatch(p, r), negated: true },
  arnnotlike: { compare: (r, p) => arnMatch(p, r), negated: true },
};

/** Thrown for an operator IAM does not have: AWS refuses such a policy when it is created. */
export class UnknownConditionOperatorError extends Error {}

/**
 * One `"<Operator>": { "<key>": [values] }` entry for one key: true when the request satisfies it.
 * - plain operators: any of the request's values matches any policy value (a negated operator: none does);
 *   a key the request lacks fails, except for a negated operator, which holds;
 * - `…IfExists`: a key the request lacks holds;
 * - `ForAllValues:`: every request value matches some policy value (vacuously true when the key is absent or empty);
 * - `ForAnyValue:`: at least one request value matches (false when the key is absent);
 * - `Null`: `true` holds when the key is absent, `false` when present.
 */
export function conditionHolds(
  operator: string,
  key: string,
  policyValues: readonly string[],
  context: RequestContext,
): boolean {
  const requestValue = context.get(key.toLowerCase());
  const name = operator.toLowerCase();
  if (name === 'null') {
    const absent = requestValue === undefined || (Array.isArray(requestValue) && requestValue.length === 0);
    return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const qualifier = name.startsWith('forallvalues:')
    ? 'all'
    : name.startsWith('foranyvalue:')
      ? 'any'
      : undefined;
  let base = qualifier ? name.slice(name.indexOf(':') + 1) : name;
  const ifExists = base.endsWith('ifexists');
  if (ifExists) base = base.slice(0, -'ifexists'.length);
  const definition = OPERATORS[base];
  if (definition === undefined)
    throw new UnknownConditionOperatorError(`unknown condition operator ${operator}`);
  const values = policyValues
    .map((v) => (base.startsWith('string') || base.startsWith('arn') ? substituteVariables(v, context) : v))
    .filter((v): v is string => v !== undefined);
  const requestValues =
    requestValue === undefined ? [] : Array.isArray(requestValue) ? requestValue : [requestValue as string];
  const matchesAny = (r: string) => values.some((p) => definition.compare(r, p));
  // A negated operator's single-value test: the request value matches none of the policy's values.
  const test = (r: string) => (definition.negated ? !matchesAny(r) : matchesAny(r));

  if (qualifier === 'all') return requestValues.every(test);
  if (qualifier === 'any') return requestValues.some(test);
  if (requestValue === undefined) return ifExists || definition.negated;
  return definition.negated ? requestValues.every(test) : requestValues.some(test);
}

/** A statement's whole Condition: every operator, every key in it, must hold. */
export function conditionsHold(
  block: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>,
  context: RequestContext,
): boolean {
  for (const [operator, keys] of Object.entries(block)) {
    for (const [key, values] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, values, context)) return false;
    }
  }
  return true;
}
