/**
 * A CloudFormation intrinsic-function evaluator. It knows nothing about resources: everything that depends on
 * the template (Ref, GetAtt, conditions, mappings, exports) is answered by an `IntrinsicScope`, so the same
 * evaluator serves resource properties, outputs, export names and conditions.
 */

/** What `{"Ref": "AWS::NoValue"}` resolves to: the enclosing key or list element disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** A template the local cloud cannot resolve; the message names the stack, the resource and the path. */
export class TemplateResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateResolutionError';
  }
}

/** Answers the template-dependent parts of intrinsics for one place in a template (a resource, an output). */
export interface IntrinsicScope {
  /** Where errors point, e.g. `Api/Fn9270CBC0` or `Api/Outputs/Url`. */
  readonly location: string;
  readonly region: string;
  /** `Ref` to a pseudo parameter, a parameter or a resource. */
  ref(name: string, path: string): unknown;
  /** `Fn::GetAtt`; `attribute` may contain dots (e.g. `Outputs.Foo`). */
  getAtt(logicalId: string, attribute: string, path: string): unknown;
  condition(name: string, path: string): boolean;
  findInMap(mapName: string, topKey: string, secondKey: string, path: string): unknown;
  importValue(exportName: string, path: string): unknown;
  /** `Fn::GetStackOutput`, CDK's weak cross-stack reference: another stack's output by name. */
  stackOutput(stackName: string, outputName: string, path: string): unknown;
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The single `Ref`/`Fn::*` key when `value` is an intrinsic call, else undefined. */
function intrinsicName(value: Json): string | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys;
  return key === 'Ref' || key?.startsWith('Fn::') ? key : undefined;
}

function fail(scope: IntrinsicScope, path: string, message: string): never {
  throw new TemplateResolutionError(`${scope.location} at ${path || '(root)'}: ${message}`);
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Resolves every intrinsic inside `value`. Keys and list elements that resolve to `AWS::NoValue` are removed;
 * a top-level `AWS::NoValue` is returned as `NO_VALUE` for the caller to drop.
 */
export function resolveValue(value: unknown, scope: IntrinsicScope, path: string): unknown {
  if (Array.isArray(value)) {
    return value
      .map((item, index) => resolveValue(item, scope, childPath(path, index)))
      .filter((item) => item !== NO_VALUE);
  }
  if (!isPlainObject(value)) return value;
  const name = intrinsicName(value);
  if (name) return evaluate(name, value[name], scope, childPath(path, name));
  const result: Json = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolveValue(item, scope, childPath(path, key));
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}

/** Evaluates a condition expression: `{Condition: name}`, `Fn::Equals/And/Or/Not`, or a condition's name. */
export function evaluateCondition(expression: unknown, scope: IntrinsicScope, path: string): boolean {
  if (typeof expression === 'string') return scope.condition(expression, path);
  if (typeof expression === 'boolean') return expression;
  if (isPlainObject(expression)) {
    const keys = Object.keys(expression);
    if (keys.length === 1 && keys[0] === 'Condition') {
      return scope.condition(stringArgument(expression.Condition, scope, path, 'Condition'), path);
    }
    const name = intrinsicName(expression);
    if (name === 'Fn::Equals' || name === 'Fn::And' || name === 'Fn::Or' || name === 'Fn::Not') {
      return evaluate(name, expression[name], scope, childPath(path, name)) === true;
    }
  }
  return fail(
    scope,
    path,
    `expected a condition (Fn::Equals/And/Or/Not or {Condition}), got ${preview(expression)}`,
  );
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function listArgument(
  args: unknown,
  scope: IntrinsicScope,
  path: string,
  fn: string,
  length?: number,
): unknown[] {
  if (!Array.isArray(args) || (length !== undefined && args.length !== length)) {
    return fail(scope, path, `${fn} expects a list${length ? ` of ${length}` : ''}, got ${preview(args)}`);
  }
  return args;
}

function stringArgument(value: unknown, scope: IntrinsicScope, path: string, fn: string): string {
  const resolved = resolveValue(value, scope, path);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  return fail(scope, path, `${fn} expects a string, got ${preview(resolved)}`);
}

function resolvedList(value: unknown, scope: IntrinsicScope, path: string, fn: string): unknown[] {
  const resolved = resolveValue(value, scope, path);
  if (!Array.isArray(resolved)) return fail(scope, path, `${fn} expects a list, got ${preview(resolved)}`);
  return resolved;
}

/** Strings for Join/Sub: CloudFormation renders numbers and booleans as their text. */
function asText(value: unknown, scope: IntrinsicScope, path: string, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(scope, path, `${fn} can only insert strings, got ${preview(value)}`);
}

function evaluate(name: string, args: unknown, scope: IntrinsicScope, path: string): unknown {
  switch (name) {
    case 'Ref':
      return scope.ref(stringArgument(args, scope, path, name), path);
    case 'Fn::GetAtt':
      return getAtt(args, scope, path);
    case 'Fn::Join': {
      const [delimiter, list] = listArgument(args, scope, path, name, 2);
      const separator = stringArgument(delimiter, scope, childPath(path, 0), name);
      const items = resolvedList(list, scope, childPath(path, 1), name);
      return items
        .map((item, i) => asText(item, scope, childPath(childPath(path, 1), i), name))
        .join(separator);
    }
    case 'Fn::Sub':
      return substitute(args, scope, path);
    case 'Fn::Select': {
      const [index, list] = listArgument(args, scope, path, name, 2);
      const position = Number(stringArgument(index, scope, childPath(path, 0), name));
      const items = resolvedList(list, scope, childPath(path, 1), name);
      if (!Number.isInteger(position) || position < 0 || position >= items.length) {
        return fail(scope, path, `Fn::Select index ${position} is outside a list of ${items.length}`);
      }
      return items[position];
    }
    case 'Fn::Split': {
      const [delimiter, source] = listArgument(args, scope, path, name, 2);
      const separator = stringArgument(delimiter, scope, childPath(path, 0), name);
      return stringArgument(source, scope, childPath(path, 1), name).split(separator);
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = listArgument(args, scope, path, name, 3);
      const chosen = evaluateCondition(condition, scope, childPath(path, 0));
      return chosen
        ? resolveValue(whenTrue, scope, childPath(path, 1))
        : resolveValue(whenFalse, scope, childPath(path, 2));
    }
    case 'Fn::Equals': {
      const [left, right] = listArgument(args, scope, path, name, 2);
      return sameValue(
        resolveValue(left, scope, childPath(path, 0)),
        resolveValue(right, scope, childPath(path, 1)),
      );
    }
    case 'Fn::And':
      return listArgument(args, scope, path, name).every((c, i) =>
        evaluateCondition(c, scope, childPath(path, i)),
      );
    case 'Fn::Or':
      return listArgument(args, scope, path, name).some((c, i) =>
        evaluateCondition(c, scope, childPath(path, i)),
      );
    case 'Fn::Not': {
      const [condition] = listArgument(args, scope, path, name, 1);
      return !evaluateCondition(condition, scope, childPath(path, 0));
    }
    case 'Fn::FindInMap':
      return findInMap(args, scope, path);
    case 'Fn::ImportValue':
      return scope.importValue(stringArgument(args, scope, path, name), path);
    case 'Fn::GetStackOutput': {
      const spec = resolveValue(args, scope, path);
      if (!isPlainObject(spec) || typeof spec.StackName !== 'string' || typeof spec.OutputName !== 'string') {
        return fail(scope, path, `Fn::GetStackOutput expects {StackName, OutputName}, got ${preview(spec)}`);
      }
      return scope.stackOutput(spec.StackName, spec.OutputName, path);
    }
    case 'Fn::GetAZs': {
      const region = stringArgument(args, scope, path, name) || scope.region;
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    }
    case 'Fn::Base64':
      return Buffer.from(stringArgument(args, scope, path, name), 'utf8').toString('base64');
    case 'Fn::Cidr':
      return cidr(args, scope, path);
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveValue(args, scope, path));
    case 'Fn::Length':
      return resolvedList(args, scope, path, name).length;
    default:
      return fail(scope, path, `unsupported intrinsic function ${name}`);
  }
}

/** CloudFormation compares condition operands as strings (`"1"` equals `1`). */
function sameValue(left: unknown, right: unknown): boolean {
  const text = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);
  return text(left) === text(right);
}

function getAtt(args: unknown, scope: IntrinsicScope, path: string): unknown {
  if (typeof args === 'string') {
    const dot = args.indexOf('.');
    if (dot <= 0) return fail(scope, path, `Fn::GetAtt "${args}" is not of the form Resource.Attribute`);
    return scope.getAtt(args.slice(0, dot), args.slice(dot + 1), path);
  }
  const [logicalId, attribute] = listArgument(args, scope, path, 'Fn::GetAtt', 2);
  return scope.getAtt(
    stringArgument(logicalId, scope, childPath(path, 0), 'Fn::GetAtt'),
    stringArgument(attribute, scope, childPath(path, 1), 'Fn::GetAtt'),
    path,
  );
}

function substitute(args: unknown, scope: IntrinsicScope, path: string): string {
  let template: unknown = args;
  let variables: Json = {};
  if (Array.isArray(args)) {
    const [text, vars] = listArgument(args, scope, path, 'Fn::Sub', 2);
    const resolvedVars = resolveValue(vars, scope, childPath(path, 1));
    if (!isPlainObject(resolvedVars)) return fail(scope, path, 'Fn::Sub variables must be a map');
    template = text;
    variables = resolvedVars;
  }
  if (typeof template !== 'string')
    return fail(scope, path, `Fn::Sub expects a string, got ${preview(template)}`);
  // `${!Literal}` is an escape for a literal `${Literal}`; it must not be substituted.
  return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (Object.hasOwn(variables, name)) return asText(variables[name], scope, path, 'Fn::Sub');
    const dot = name.indexOf('.');
    const value =
      dot > 0 && !name.startsWith('AWS::')
        ? scope.getAtt(name.slice(0, dot), name.slice(dot + 1), path)
        : scope.ref(name, path);
    return asText(value, scope, path, 'Fn::Sub');
  });
}

function findInMap(args: unknown, scope: IntrinsicScope, path: string): unknown {
  const list = listArgument(args, scope, path, 'Fn::FindInMap');
  if (list.length !== 3 && list.length !== 4) {
    return fail(
      scope,
      path,
      'Fn::FindInMap expects [MapName, TopLevelKey, SecondLevelKey(, {DefaultValue})]',
    );
  }
  const [mapName, topKey, secondKey] = list
    .slice(0, 3)
    .map((arg, i) => stringArgument(arg, scope, childPath(path, i), 'Fn::FindInMap')) as [
    string,
    string,
    string,
  ];
  const found = scope.findInMap(mapName, topKey, secondKey, path);
  if (found !== undefined) return found;
  const options = list[3];
  if (isPlainObject(options) && 'DefaultValue' in options) {
    return resolveValue(options.DefaultValue, scope, childPath(path, 3));
  }
  return fail(scope, path, `Fn::FindInMap found no ${mapName}.${topKey}.${secondKey}`);
}

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((acc, part) => acc * 256 + part, 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** `Fn::Cidr` for IPv4 blocks: `count` consecutive subnets with `cidrBits` host bits each. */
function cidr(args: unknown, scope: IntrinsicScope, path: string): string[] {
  const [block, count, bits] = listArgument(args, scope, path, 'Fn::Cidr', 3).map((arg, i) =>
    stringArgument(arg, scope, childPath(path, i), 'Fn::Cidr'),
  ) as [string, string, string];
  const [address = '', prefixText = ''] = block.split('/');
  const base = ipv4ToNumber(address);
  const prefix = Number(prefixText);
  const hostBits = Number(bits);
  const subnets = Number(count);
  if (base === undefined || !Number.isInteger(prefix) || 32 - hostBits < prefix || subnets < 1) {
    return fail(scope, path, `Fn::Cidr cannot split ${block} into ${count} subnets of ${bits} host bits`);
  }
  const size = 2 ** hostBits;
  const start = base - (base % 2 ** (32 - prefix));
  if (subnets * size > 2 ** (32 - prefix)) {
    return fail(scope, path, `Fn::Cidr: ${block} has no room for ${count} subnets of ${bits} host bits`);
  }
  return Array.from({ length: subnets }, (_, i) => `${numberToIpv4(start + i * size)}/${32 - hostBits}`);
}
