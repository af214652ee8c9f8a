import * as z from 'zod';
import type { LocalCloudModel } from '../model';
import { EventFilter } from './filter-criteria';

const numberLike = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const booleanLike = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const mappingProperties = z.object({
  FunctionName: z.string().min(1),
  EventSourceArn: z.string().min(1),
  Enabled: booleanLike.optional(),
  BatchSize: numberLike.optional(),
  MaximumBatchingWindowInSeconds: numberLike.optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
  FilterCriteria: z.unknown().optional(),
  ScalingConfig: z.object({ MaximumConcurrency: numberLike.optional() }).optional(),
  StartingPosition: z.string().optional(),
  BisectBatchOnFunctionError: booleanLike.optional(),
  MaximumRetryAttempts: numberLike.optional(),
  MaximumRecordAgeInSeconds: numberLike.optional(),
  ParallelizationFactor: numberLike.optional(),
  DestinationConfig: z.object({ OnFailure: z.object({ Destination: z.string() }).optional() }).optional(),
});

/** An AWS::Lambda::EventSourceMapping, parsed once at start; each event-source service reads what it needs. */
export interface EventSourceMapping {
  readonly stackName: string;
  readonly logicalId: string;
  readonly uuid: string;
  readonly functionName: string;
  readonly eventSourceArn: string;
  readonly enabled: boolean;
  /** As given; each source applies its own default (SQS 10, streams 100). */
  readonly batchSize?: number;
  readonly batchingWindowSeconds: number;
  readonly reportsBatchItemFailures: boolean;
  readonly filter: EventFilter;
  readonly maximumConcurrency?: number;
  readonly startingPosition?: string;
  readonly bisectOnError: boolean;
  /** -1 = until the record expires. */
  readonly maximumRetryAttempts: number;
  /** -1 = no limit. */
  readonly maximumRecordAgeSeconds: number;
  readonly parallelizationFactor: number;
  readonly onFailureDestination?: string;
}

/** The template's event-source mappings whose source ARN is in the given service (`sqs`, `dynamodb`, …). */
export function eventSourceMappings(model: LocalCloudModel, service: string): EventSourceMapping[] {
  return model.resources
    .filter((r) => r.type === 'AWS::Lambda::EventSourceMapping')
    .flatMap((resource) => {
      const parsed = mappingProperties.safeParse(resource.properties);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw new Error(`event-source mapping ${resource.stackName}/${resource.logicalId}: ${problems}`);
      }
      const p = parsed.data;
      if (p.EventSourceArn.split(':')[2] !== service) return [];
      const mapping: EventSourceMapping = {
        stackName: resource.stackName,
        logicalId: resource.logicalId,
        uuid: resource.physicalId,
        functionName: p.FunctionName,
        eventSourceArn: p.EventSourceArn,
        enabled: p.Enabled ?? true,
        ...(p.BatchSize !== undefined ? { batchSize: p.BatchSize } : {}),
        batchingWindowSeconds: p.MaximumBatchingWindowInSeconds ?? 0,
        reportsBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
        filter: EventFilter.fromCriteria(p.FilterCriteria),
        ...(p.ScalingConfig?.MaximumConcurrency !== undefined
          ? { maximumConcurrency: p.ScalingConfig.MaximumConcurrency }
          : {}),
        ...(p.StartingPosition ? { startingPosition: p.StartingPosition } : {}),
        bisectOnError: p.BisectBatchOnFunctionError ?? false,
        maximumRetryAttempts: p.MaximumRetryAttempts ?? -1,
        maximumRecordAgeSeconds: p.MaximumRecordAgeInSeconds ?? -1,
        parallelizationFactor: p.ParallelizationFactor ?? 1,
        ...(p.DestinationConfig?.OnFailure?.Destination
          ? { onFailureDestination: p.DestinationConfig.OnFailure.Destination }
          : {}),
      };
      return [mapping];
    });
}
