import * as z from 'zod';
import type { LocalCloudModel } from '../model';

/** One AWS::Kinesis::Stream, read once at start. */
export interface KinesisStreamDefinition {
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly shardCount: number;
}

const numberLike = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const streamProperties = z.object({
  ShardCount: numberLike.optional(),
  StreamModeDetails: z.object({ StreamMode: z.string() }).optional(),
});

/**
 * The template's streams. A provisioned stream has its `ShardCount`; an on-demand one starts with 4 shards, as
 * Kinesis creates them (it then scales, which is not emulated).
 */
export function kinesisStreams(model: LocalCloudModel): KinesisStreamDefinition[] {
  return model.resources
    .filter((r) => r.type === 'AWS::Kinesis::Stream')
    .map((resource) => {
      const p = streamProperties.parse(resource.properties);
      const onDemand = p.StreamModeDetails?.StreamMode === 'ON_DEMAND';
      return {
        id: `${resource.stackName}/${resource.logicalId}`,
        name: resource.physicalId,
        arn:
          resource.attributes.Arn ??
          `arn:aws:kinesis:${model.region}:${model.accountId}:stream/${resource.physicalId}`,
        shardCount: p.ShardCount ?? (onDemand ? 4 : 1),
      };
    });
}

/** The stream name in a Kinesis stream ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export function streamNameOfArn(arn: string): string {
  return /:stream\/([^/]+)/.exec(arn)?.[1] ?? arn;
}
