import * as z from 'zod';
import type { LocalCloudModel } from '../model';
import { type GenerateSecretString, generateSecretStringSchema } from './generate-secret';

/** An AWS::SecretsManager::Secret, read once at start. */
export interface SecretDefinition {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  /** A literal value, or how to generate one. */
  readonly value: { readonly literal: string } | { readonly generate: GenerateSecretString };
}

/** An AWS::SSM::Parameter, read once at start. */
export interface ParameterDefinition {
  readonly id: string;
  readonly name: string;
  readonly type: 'String' | 'StringList';
  readonly value: string;
  readonly description?: string;
}

const secretProperties = z.object({
  Name: z.string().optional(),
  Description: z.string().optional(),
  SecretString: z.string().optional(),
  GenerateSecretString: generateSecretStringSchema.optional(),
});
const parameterProperties = z.object({
  Type: z.enum(['String', 'StringList']),
  Value: z.string(),
  Description: z.string().optional(),
});

/** What of the template's secrets and parameters is served, and what is not (with why). */
export interface SecretsOfTemplate {
  readonly secrets: SecretDefinition[];
  readonly parameters: ParameterDefinition[];
  readonly invalid: Array<{ readonly type: string; readonly id: string; readonly reason: string }>;
}

const issues = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(properties)'}: ${i.message}`).join('; ');

/** Reads the template's secrets and parameters. */
export function secretsOfTemplate(model: LocalCloudModel): SecretsOfTemplate {
  const result: SecretsOfTemplate = { secrets: [], parameters: [], invalid: [] };
  for (const resource of model.resources) {
    const id = `${resource.stackName}/${resource.logicalId}`;
    if (resource.type === 'AWS::SecretsManager::Secret') {
      const parsed = secretProperties.safeParse(resource.properties);
      if (!parsed.success) {
        result.invalid.push({ type: resource.type, id, reason: issues(parsed.error) });
        continue;
      }
      const p = parsed.data;
      const name =
        p.Name ?? /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(resource.physicalId)?.[1] ?? resource.logicalId;
      result.secrets.push({
        id,
        arn: resource.physicalId,
        name,
        ...(p.Description ? { description: p.Description } : {}),
        // CloudFormation: without either, the secret is created with a generated 32-character password.
        value:
          p.SecretString !== undefined
            ? { literal: p.SecretString }
            : { generate: p.GenerateSecretString ?? {} },
      });
    }
    if (resource.type === 'AWS::SSM::Parameter') {
      const parsed = parameterProperties.safeParse(resource.properties);
      if (!parsed.success) {
        result.invalid.push({ type: resource.type, id, reason: issues(parsed.error) });
        continue;
      }
      result.parameters.push({
        id,
        name: resource.physicalId,
        type: parsed.data.Type,
        value: parsed.data.Value,
        ...(parsed.data.Description ? { description: parsed.data.Description } : {}),
      });
    }
  }
  return result;
}
