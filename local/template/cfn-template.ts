import * as z from 'zod';
import { TemplateResolutionError } from './intrinsics';

const record = z.record(z.string(), z.unknown());

const resourceSchema = z.object({
  Type: z.string(),
  Properties: record.optional(),
  Condition: z.string().optional(),
  Metadata: record.optional(),
});

const parameterSchema = z.object({
  Type: z.string(),
  Default: z.unknown().optional(),
});

const outputSchema = z.object({
  Value: z.unknown(),
  Condition: z.string().optional(),
  Export: z.object({ Name: z.unknown() }).optional(),
});

const templateSchema = z.object({
  Transform: z.union([z.string(), z.array(z.string())]).optional(),
  Parameters: z.record(z.string(), parameterSchema).optional(),
  Mappings: z.record(z.string(), z.record(z.string(), record)).optional(),
  Conditions: record.optional(),
  Resources: z.record(z.string(), resourceSchema),
  Outputs: z.record(z.string(), outputSchema).optional(),
});

/** The parts of a CloudFormation template the local cloud reads (Rules, Metadata and the rest are ignored). */
export type CfnTemplate = z.infer<typeof templateSchema>;
export type CfnResource = z.infer<typeof resourceSchema>;
export type CfnParameter = z.infer<typeof parameterSchema>;

/** Transforms whose only effect the resolver already understands (Fn::ToJsonString, Fn::Length, FindInMap defaults). */
const UNDERSTOOD_TRANSFORMS = new Set(['AWS::LanguageExtensions']);

/** Validates a parsed template's shape, failing with the stack name and the offending path. */
export function parseTemplate(stackName: string, json: unknown): CfnTemplate {
  const parsed = templateSchema.safeParse(json);
  if (!parsed.success) {
    throw new TemplateResolutionError(
      `stack ${stackName}: not a CloudFormation template: ${z.prettifyError(parsed.error)}`,
    );
  }
  const transforms = [parsed.data.Transform ?? []].flat().filter((t) => !UNDERSTOOD_TRANSFORMS.has(t));
  if (transforms.length > 0) {
    throw new TemplateResolutionError(
      `stack ${stackName}: template transform ${transforms.join(', ')} is not supported locally (it runs inside CloudFormation)`,
    );
  }
  return parsed.data;
}
