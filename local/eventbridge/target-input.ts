/**
 * What a rule's target receives, from the matched event: the whole event; `Input` (constant JSON text);
 * `InputPath` (a JSONPath into the event); or `InputTransformer` (`InputPathsMap` of names to JSONPaths, and an
 * `InputTemplate` with `<name>` placeholders plus the predefined `<aws.events.rule-arn>`, `<aws.events.rule-name>`,
 * `<aws.events.event>`, `<aws.events.event.json>` and `<aws.events.event.ingestion-time>`). In a template, a
 * placeholder inside a JSON string is replaced by the value's text (escaped for JSON); outside one, by its JSON.
 * A path that finds nothing gives `null` (outside strings) or an empty string (inside). A template that is a
 * single JSON string delivers that string's text.
 */
export interface TargetInputDefinition {
  readonly input?: string;
  readonly inputPath?: string;
  readonly transformer?: { readonly pathsMap: Readonly<Record<string, string>>; readonly template: string };
}

/** The text a target is handed (JSON unless a transformer's template makes plain text). */
export function targetInput(
  definition: TargetInputDefinition,
  event: Record<string, unknown>,
  rule: { readonly arn: string; readonly name: string },
): string {
  if (definition.input !== undefined) return definition.input;
  if (definition.inputPath !== undefined)
    return JSON.stringify(jsonPath(event, definition.inputPath) ?? null);
  if (!definition.transformer) return JSON.stringify(event);
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.name,
    'aws.events.event': event,
    'aws.events.event.json': event,
    'aws.events.event.ingestion-time': event.time,
  };
  for (const [name, path] of Object.entries(definition.transformer.pathsMap))
    values[name] = jsonPath(event, path);
  const filled = fillTemplate(definition.transformer.template, values);
  // A template that is one JSON string (CDK's `RuleTargetInput.fromText`) delivers its text, unquoted.
  if (filled.startsWith('"')) {
    try {
      const text: unknown = JSON.parse(filled);
      if (typeof text === 'string') return text;
    } catch {
      // Not a single JSON string: delivered as written.
    }
  }
  return filled;
}

function fillTemplate(template: string, values: Record<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] ?? '';
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (name && Object.hasOwn(values, name)) {
        const value = values[name];
        if (inString) {
          const text =
            value === undefined || value === null
              ? ''
              : typeof value === 'string'
                ? value
                : JSON.stringify(value);
          out += JSON.stringify(text).slice(1, -1);
        } else {
          out += JSON.stringify(value ?? null);
        }
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** A JSONPath of the simple form EventBridge accepts: `$`, `$.a.b`, `$.a[0]`, `$['a-b']`. */
export function jsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)];
  let current: unknown = root;
  for (const [, dotted, index, single, double] of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = dotted ?? single ?? double ?? Number(index);
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
