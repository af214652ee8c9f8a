/**
 * The JSONPath subset API Gateway mapping templates use in `$input.json(x)` / `$input.path(x)`:
 * `$`, `.name`, `['name']`, `[index]` (negative counts from the end), `[*]` / `.*`, and `..name` (deep scan).
 */

type Step =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'deep'; readonly name: string };

function parseSteps(path: string): Step[] {
  const expression = path.trim();
  if (!expression.startsWith('$')) throw new Error(`invalid JSONPath '${path}': it must start with '$'`);
  const steps: Step[] = [];
  let i = 1;
  while (i < expression.length) {
    const rest = expression.slice(i);
    const deep = /^\.\.([A-Za-z0-9_$-]+)/.exec(rest);
    const dotted = /^\.([A-Za-z0-9_$-]+|\*)/.exec(rest);
    const quoted = /^\[\s*(['"])(.*?)\1\s*\]/.exec(rest);
    const indexed = /^\[\s*(-?\d+|\*)\s*\]/.exec(rest);
    if (deep?.[1]) {
      steps.push({ kind: 'deep', name: deep[1] });
      i += deep[0].length;
    } else if (dotted?.[1]) {
      steps.push(dotted[1] === '*' ? { kind: 'wildcard' } : { kind: 'name', name: dotted[1] });
      i += dotted[0].length;
    } else if (quoted) {
      steps.push({ kind: 'name', name: quoted[2] ?? '' });
      i += quoted[0].length;
    } else if (indexed?.[1]) {
      steps.push(indexed[1] === '*' ? { kind: 'wildcard' } : { kind: 'index', index: Number(indexed[1]) });
      i += indexed[0].length;
    } else {
      throw new Error(`invalid JSONPath '${path}' at '${rest}'`);
    }
  }
  return steps;
}

function childrenOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [];
}

function deepScan(value: unknown, name: string, found: unknown[]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, name)) {
    found.push((value as Record<string, unknown>)[name]);
  }
  for (const child of childrenOf(value)) deepScan(child, name, found);
}

/**
 * Evaluates `path` against `document`. A path with a wildcard or deep scan yields an array of matches; a plain
 * path yields the single value, or `undefined` when it does not exist.
 */
export function evaluateJsonPath(document: unknown, path: string): unknown {
  const steps = parseSteps(path);
  let current: unknown[] = [document];
  let multiple = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'name') {
        if (value !== null && typeof value === 'object' && Object.hasOwn(value, step.name)) {
          next.push((value as Record<string, unknown>)[step.name]);
        }
      } else if (step.kind === 'index') {
        if (Array.isArray(value)) {
          const index = step.index < 0 ? value.length + step.index : step.index;
          if (index >= 0 && index < value.length) next.push(value[index]);
        }
      } else if (step.kind === 'wildcard') {
        multiple = true;
        next.push(...childrenOf(value));
      } else {
        multiple = true;
        deepScan(value, step.name, next);
      }
    }
    current = next;
  }
  return multiple ? current : current[0];
}
