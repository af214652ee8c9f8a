import { Compile, parse } from 'velocityjs';
import { HeaderMap, headerMapGet, type VtlInput } from './vtl-input';
import { createVtlUtil, type VtlUtil } from './vtl-util';

/** What a mapping template can reference. `context` is mutated by `#set($context.responseOverride...)`. */
export interface VtlVariables {
  readonly input: VtlInput;
  readonly context: Record<string, unknown>;
  readonly stageVariables: Record<string, string>;
  readonly util?: VtlUtil;
}

interface MethodCall {
  readonly property: string;
  readonly context: unknown;
  readonly params: unknown[];
}

type JavaMethod = (self: never, params: unknown[]) => unknown;

function arg(params: unknown[], index = 0): string {
  const value = params[index];
  return value === null || value === undefined ? '' : String(value);
}

/** java.lang.String methods templates commonly call, which JavaScript strings lack or spell differently. */
const STRING_METHODS: Record<string, JavaMethod> = {
  length: (self: string) => self.length,
  isEmpty: (self: string) => self.length === 0,
  contains: (self: string, p) => self.includes(arg(p)),
  equals: (self: string, p) => self === p[0],
  equalsIgnoreCase: (self: string, p) => self.toLowerCase() === arg(p).toLowerCase(),
  startsWith: (self: string, p) => self.startsWith(arg(p)),
  endsWith: (self: string, p) => self.endsWith(arg(p)),
  trim: (self: string) => self.trim(),
  toLowerCase: (self: string) => self.toLowerCase(),
  toUpperCase: (self: string) => self.toUpperCase(),
  indexOf: (self: string, p) => self.indexOf(arg(p)),
  lastIndexOf: (self: string, p) => self.lastIndexOf(arg(p)),
  charAt: (self: string, p) => self.charAt(Number(p[0])),
  concat: (self: string, p) => self + arg(p),
  replace: (self: string, p) => self.split(arg(p)).join(arg(p, 1)),
  replaceAll: (self: string, p) =>
    self.replace(new RegExp(arg(p), 'g'), arg(p, 1).replace(/\$(\d)/g, '$$$1')),
  matches: (self: string, p) => new RegExp(`^(?:${arg(p)})$`).test(self),
  split: (self: string, p) => self.split(new RegExp(arg(p))),
  substring: (self: string, p) => self.substring(Number(p[0]), p[1] === undefined ? undefined : Number(p[1])),
};

const LIST_METHODS: Record<string, JavaMethod> = {
  isEmpty: (self: unknown[]) => self.length === 0,
  contains: (self: unknown[], p) => self.includes(p[0]),
};

const MAP_METHODS: Record<string, JavaMethod> = {
  isEmpty: (self: Record<string, unknown>) => Object.keys(self).length === 0,
  containsKey: (self: Record<string, unknown>, p) => Object.hasOwn(self, arg(p)),
  containsValue: (self: Record<string, unknown>, p) => Object.values(self).includes(p[0]),
  values: (self: Record<string, unknown>) => Object.values(self),
};

const HEADER_MAP_METHODS: Record<string, JavaMethod> = {
  get: (self: HeaderMap, p) => headerMapGet(self, p[0]),
  containsKey: (self: HeaderMap, p) => headerMapGet(self, p[0]) !== null,
};

function javaMethod({ property, context }: MethodCall): JavaMethod | undefined {
  if (context instanceof HeaderMap && Object.hasOwn(HEADER_MAP_METHODS, property))
    return HEADER_MAP_METHODS[property];
  const table =
    typeof context === 'string'
      ? STRING_METHODS
      : Array.isArray(context)
        ? LIST_METHODS
        : context !== null && typeof context === 'object' && !Object.hasOwn(context, property)
          ? MAP_METHODS
          : undefined;
  return table && Object.hasOwn(table, property) ? table[property] : undefined;
}

const customMethodHandlers = [
  {
    uid: 'java-methods',
    match: (call: MethodCall) => javaMethod(call) !== undefined,
    resolve: (call: MethodCall) => javaMethod(call)?.(call.context as never, call.params),
  },
];

/**
 * Velocity as API Gateway runs it: references to missing or null values render as '' (AWS renders
 * `$input.params().header.get('X')` of an absent header as an empty string, not as the reference text).
 */
class QuietCompile extends Compile {
  protected override getReferences(ast: Parameters<Compile['getReferences']>[0], isVal?: boolean): string {
    const value = super.getReferences(ast, isVal);
    return isVal && value === null ? '' : value;
  }
}

/** Renders an API Gateway mapping template (request, integration response or gateway response). */
export function renderVtl(template: string, variables: VtlVariables): string {
  const compiled = new QuietCompile(parse(template), { customMethodHandlers });
  return compiled.render(
    {
      input: variables.input,
      context: variables.context,
      stageVariables: variables.stageVariables,
      util: variables.util ?? createVtlUtil(),
    },
    undefined,
    true,
  );
}
