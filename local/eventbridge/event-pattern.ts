import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * EventBridge's event-pattern language, hand-written: no maintained JavaScript library implements it (AWS's own
 * matcher, event-ruler, is Java; the npm packages found match only parts of it). Covered, as the EventBridge user
 * guide ("Comparison operators for use in event patterns") describes them: nested fields, arrays of alternatives
 * (a field matches when any alternative does; an array in the event matches when any element does), exact
 * strings, numbers (compared as numbers), `null`, booleans, `prefix`, `suffix` (each also with
 * `equals-ignore-case`), `equals-ignore-case`, `anything-but` (a value, a list, or with `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`), `numeric` (ranges), `exists`, `cidr` (IPv4 and IPv6), `wildcard` (`*`, `\*`
 * for a star), and `$or` at any level. A pattern is checked when it is read; a bad one throws with where.
 */
export type EventPattern = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a pattern (an object, or its JSON text as CloudFormation may give it) and validates it. */
export function parseEventPattern(pattern: unknown): EventPattern {
  const parsed = typeof pattern === 'string' ? (JSON.parse(pattern) as unknown) : pattern;
  if (!isObject(parsed)) throw new Error('an event pattern must be a JSON object');
  validateObject(parsed, '');
  return parsed;
}

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
  'wildcard',
]);

function validateObject(pattern: Record<string, unknown>, at: string): void {
  for (const [key, rule] of Object.entries(pattern)) {
    const where = at ? `${at}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isObject)) {
        throw new Error(`${where} must be an array of at least two patterns`);
      }
      for (const branch of rule) validateObject(branch, where);
      continue;
    }
    if (Array.isArray(rule)) {
      for (const alternative of rule) {
        if (!isObject(alternative)) continue;
        const operator = Object.keys(alternative)[0] ?? '';
        if (Object.keys(alternative).length !== 1 || !OPERATORS.has(operator)) {
          throw new Error(`${where}: unknown operator ${JSON.stringify(alternative)}`);
        }
        if (operator === 'numeric') numericTests(alternative.numeric, where);
        if (operator === 'cidr') cidrBlock(alternative.cidr, where);
      }
      continue;
    }
    if (isObject(rule)) {
      validateObject(rule, where);
      continue;
    }
    throw new Error(`${where} must be an array of values or a nested pattern, got ${JSON.stringify(rule)}`);
  }
}

/** True when `event` matches `pattern`. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

function matchObject(pattern: Record<string, unknown>, value: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or')
      return (rule as Record<string, unknown>[]).some((branch) => matchObject(branch, value));
    const present = isObject(value) && key in value;
    const child = present ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(rule)) return matchAlternatives(rule, present, child);
    if (!present) return false;
    const rulePattern = rule as Record<string, unknown>;
    return Array.isArray(child)
      ? child.some((item) => matchObject(rulePattern, item))
      : matchObject(rulePattern, child);
  });
}

function matchAlternatives(alternatives: readonly unknown[], present: boolean, value: unknown): boolean {
  return alternatives.some((alternative) => {
    if (isObject(alternative) && 'exists' in alternative) return alternative.exists === present;
    if (!present) return false;
    if (isObject(alternative) && 'anything-but' in alternative) {
      // Every element of an array must avoid the excluded values.
      const values = Array.isArray(value) ? value : [value];
      return (
        values.length > 0 && values.every((item) => !anythingButExcludes(alternative['anything-but'], item))
      );
    }
    const values = Array.isArray(value) ? value : [value];
    return values.some((item) => matchLeaf(alternative, item));
  });
}

function equalValues(rule: unknown, value: unknown): boolean {
  if (typeof rule === 'number' && typeof value === 'number') return rule === value;
  return rule === value;
}

function matchLeaf(rule: unknown, value: unknown): boolean {
  if (!isObject(rule)) return equalValues(rule, value);
  const [operator, operand] = Object.entries(rule)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return matchAffix(operand, value, (v, o) => v.startsWith(o));
    case 'suffix':
      return matchAffix(operand, value, (v, o) => v.endsWith(o));
    case 'equals-ignore-case':
      return (
        typeof value === 'string' &&
        typeof operand === 'string' &&
        value.toLowerCase() === operand.toLowerCase()
      );
    case 'numeric':
      return typeof value === 'number' && numericTests(operand, '').every((test) => test(value));
    case 'cidr':
      return typeof value === 'string' && matchCidr(operand, value);
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardRegExp(operand).test(value);
    default:
      return false;
  }
}

/** `prefix`/`suffix` with a string, or with `{"equals-ignore-case": "…"}`. */
function matchAffix(
  operand: unknown,
  value: unknown,
  test: (value: string, operand: string) => boolean,
): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), operand['equals-ignore-case'].toLowerCase());
  }
  return false;
}

function anythingButExcludes(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return operand.some((excluded) => equalValues(excluded, value));
  if (isObject(operand)) {
    const [operator, inner] = Object.entries(operand)[0] ?? [];
    if (operator === 'equals-ignore-case') {
      const list = Array.isArray(inner) ? inner : [inner];
      return (
        typeof value === 'string' &&
        list.some((s) => typeof s === 'string' && s.toLowerCase() === value.toLowerCase())
      );
    }
    return matchLeaf(operand, value);
  }
  return equalValues(operand, value);
}

function numericTests(operand: unknown, where: string): Array<(value: number) => boolean> {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new Error(`${where}: numeric needs operator/number pairs, got ${JSON.stringify(operand)}`);
  }
  const tests: Array<(value: number) => boolean> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const bound = operand[i + 1];
    if (typeof bound !== 'number')
      throw new Error(`${where}: numeric bound ${JSON.stringify(bound)} is not a number`);
    const test = {
      '=': (v: number) => v === bound,
      '<': (v: number) => v < bound,
      '<=': (v: number) => v <= bound,
      '>': (v: number) => v > bound,
      '>=': (v: number) => v >= bound,
    }[String(op)];
    if (!test) throw new Error(`${where}: numeric operator ${JSON.stringify(op)} is not one of = < <= > >=`);
    tests.push(test);
  }
  return tests;
}

function cidrBlock(operand: unknown, where: string): BlockList {
  const [address = '', bits = ''] = typeof operand === 'string' ? operand.split('/') : [];
  const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  const prefix = Number(bits);
  if (!type || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)) {
    throw new Error(`${where}: cidr ${JSON.stringify(operand)} is not an IPv4 or IPv6 block`);
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, type);
  return list;
}

function matchCidr(operand: unknown, value: string): boolean {
  const type = isIPv4(value) ? 'ipv4' : isIPv6(value) ? 'ipv6' : undefined;
  return type !== undefined && cidrBlock(operand, '').check(value, type);
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      source += `\\${pattern[i + 1]}`;
      i++;
    } else if (c === '*') source += '.*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
