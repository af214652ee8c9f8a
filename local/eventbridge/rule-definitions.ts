import * as z from 'zod';
import type { LocalCloudModel } from '../model';
import { type EventPattern, parseEventPattern } from './event-pattern';
import type { TargetInputDefinition } from './target-input';

/** One target of a rule, read once at start. */
export interface TargetDefinition extends TargetInputDefinition {
  readonly id: string;
  readonly arn: string;
  /** Attempts after the first; EventBridge's default is 185. */
  readonly maximumRetryAttempts: number;
  /** EventBridge's default is 24 h. */
  readonly maximumEventAgeSeconds: number;
  /** An SQS queue ARN that gets what could not be delivered. */
  readonly deadLetterArn?: string;
  /** `SqsParameters.MessageGroupId` for a FIFO queue target. */
  readonly messageGroupId?: string;
}

/** One AWS::Events::Rule with an event pattern, read once at start. */
export interface RuleDefinition {
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly enabled: boolean;
  readonly pattern: EventPattern;
  readonly targets: readonly TargetDefinition[];
}

/** One bus: the default one, or an AWS::Events::EventBus. */
export interface BusDefinition {
  readonly name: string;
  readonly arn: string;
}

const numberLike = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const targetSchema = z.object({
  Id: z.string(),
  Arn: z.string(),
  Input: z.string().optional(),
  InputPath: z.string().optional(),
  InputTransformer: z
    .object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string() })
    .optional(),
  RetryPolicy: z
    .object({ MaximumRetryAttempts: numberLike.optional(), MaximumEventAgeInSeconds: numberLike.optional() })
    .optional(),
  DeadLetterConfig: z.object({ Arn: z.string().optional() }).optional(),
  SqsParameters: z.object({ MessageGroupId: z.string() }).optional(),
});
const ruleSchema = z.object({
  Name: z.string().optional(),
  EventBusName: z.string().optional(),
  EventPattern: z.unknown().optional(),
  ScheduleExpression: z.string().optional(),
  State: z.string().optional(),
  Targets: z.array(targetSchema).optional(),
});

/** The bus name an `EventBusName` gives (a name or an ARN). */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  return /:event-bus\/(.+)$/.exec(nameOrArn)?.[1] ?? nameOrArn;
}

/** What the template's buses and rules are, and which rules are not served (with why). */
export interface EventBridgeOfTemplate {
  readonly buses: BusDefinition[];
  readonly rules: RuleDefinition[];
  readonly notServed: Array<{ readonly id: string; readonly reason: string }>;
}

/** Reads the template's buses and rules. */
export function eventBridgeOfTemplate(model: LocalCloudModel): EventBridgeOfTemplate {
  const busArn = (name: string) => `arn:aws:events:${model.region}:${model.accountId}:event-bus/${name}`;
  const buses: BusDefinition[] = [{ name: 'default', arn: busArn('default') }];
  for (const resource of model.resources.filter((r) => r.type === 'AWS::Events::EventBus')) {
    buses.push({ name: resource.physicalId, arn: resource.attributes.Arn ?? busArn(resource.physicalId) });
  }
  const rules: RuleDefinition[] = [];
  const notServed: Array<{ id: string; reason: string }> = [];
  for (const resource of model.resources.filter((r) => r.type === 'AWS::Events::Rule')) {
    const id = `${resource.stackName}/${resource.logicalId}`;
    const parsed = ruleSchema.safeParse(resource.properties);
    if (!parsed.success) {
      notServed.push({
        id,
        reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      continue;
    }
    const p = parsed.data;
    if (p.EventPattern === undefined) {
      notServed.push({
        id,
        reason: p.ScheduleExpression
          ? `scheduled rules (${p.ScheduleExpression}) are not triggered locally`
          : 'a rule without an event pattern',
      });
      continue;
    }
    let pattern: EventPattern;
    try {
      pattern = parseEventPattern(p.EventPattern);
    } catch (error) {
      notServed.push({ id, reason: `event pattern: ${(error as Error).message}` });
      continue;
    }
    rules.push({
      id,
      name: resource.physicalId,
      arn: resource.attributes.Arn ?? '',
      busName: busNameOf(p.EventBusName),
      enabled: (p.State ?? 'ENABLED') === 'ENABLED',
      pattern,
      targets: (p.Targets ?? []).map((t) => ({
        id: t.Id,
        arn: t.Arn,
        ...(t.Input === undefined ? {} : { input: t.Input }),
        ...(t.InputPath === undefined ? {} : { inputPath: t.InputPath }),
        ...(t.InputTransformer
          ? {
              transformer: {
                pathsMap: t.InputTransformer.InputPathsMap ?? {},
                template: t.InputTransformer.InputTemplate,
              },
            }
          : {}),
        maximumRetryAttempts: t.RetryPolicy?.MaximumRetryAttempts ?? 185,
        maximumEventAgeSeconds: t.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400,
        ...(t.DeadLetterConfig?.Arn ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
        ...(t.SqsParameters ? { messageGroupId: t.SqsParameters.MessageGroupId } : {}),
      })),
    });
  }
  return { buses, rules, notServed };
}
