import * as z from 'zod';
import type { LocalCloudModel } from '../model';

/** One AWS::StepFunctions::StateMachine, read once at start. */
export interface StateMachineDefinition {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** The Amazon States Language definition, substitutions applied. */
  readonly definition: Record<string, unknown>;
}

const properties = z.object({
  DefinitionString: z.string().optional(),
  Definition: z.record(z.string(), z.unknown()).optional(),
  DefinitionSubstitutions: z.record(z.string(), z.unknown()).optional(),
  StateMachineType: z.enum(['STANDARD', 'EXPRESS']).optional(),
});

/** `${key}` placeholders of `DefinitionSubstitutions`, replaced in the definition's text. */
function substitute(text: string, substitutions: Record<string, unknown>): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, key: string) =>
    Object.hasOwn(substitutions, key) ? String(substitutions[key]) : whole,
  );
}

/** The template's state machines; one whose definition cannot be read is in `invalid` with why. */
export function stateMachinesOfTemplate(model: LocalCloudModel): {
  readonly machines: StateMachineDefinition[];
  readonly invalid: Array<{ readonly id: string; readonly reason: string }>;
} {
  const machines: StateMachineDefinition[] = [];
  const invalid: Array<{ id: string; reason: string }> = [];
  for (const resource of model.resources.filter((r) => r.type === 'AWS::StepFunctions::StateMachine')) {
    const id = `${resource.stackName}/${resource.logicalId}`;
    const parsed = properties.safeParse(resource.properties);
    if (!parsed.success) {
      invalid.push({
        id,
        reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      continue;
    }
    const p = parsed.data;
    const text = p.DefinitionString ?? (p.Definition ? JSON.stringify(p.Definition) : undefined);
    if (text === undefined) {
      invalid.push({ id, reason: 'no DefinitionString or Definition (a definition in S3 is not read)' });
      continue;
    }
    try {
      machines.push({
        id,
        arn: resource.physicalId,
        name: resource.attributes.Name ?? resource.physicalId.split(':').at(-1) ?? resource.logicalId,
        type: p.StateMachineType ?? 'STANDARD',
        definition: JSON.parse(substitute(text, p.DefinitionSubstitutions ?? {})) as Record<string, unknown>,
      });
    } catch (error) {
      invalid.push({ id, reason: `the definition is not JSON: ${(error as Error).message}` });
    }
  }
  return { machines, invalid };
}

/** Every Task state of a definition, nested Parallel branches and Map processors included: name → Resource. */
export function taskStates(definition: Record<string, unknown>): Map<string, { readonly resource: string }> {
  const found = new Map<string, { resource: string }>();
  const visit = (machine: unknown) => {
    const states =
      (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States ?? {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') found.set(name, { resource: String(state.Resource ?? '') });
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
      if (state.Iterator) visit(state.Iterator);
      if (state.ItemProcessor) visit(state.ItemProcessor);
    }
  };
  visit(definition);
  return found;
}
