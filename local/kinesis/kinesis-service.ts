import {
  CreateStreamCommand,
  DescribeStreamCommand,
  KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import { eventSourceMappings } from '../event-sources/event-source-mapping';
import type { LocalService } from '../local-service';
import { closeServer, listenOn } from '../loopback-server';
import type { LambdaInvoker, LocalCloudModel } from '../model';
import type { NotEmulatedResources } from '../resource-coverage';
import { DualProtocolFront } from './dual-protocol-front';
import { KinesisShardPoller } from './kinesis-poller';
import { type KinesisStreamDefinition, kinesisStreams, streamNameOfArn } from './stream-definitions';

/** Where a Kinesis mapping's discarded batches are reported (SQS queues). */
export interface KinesisServiceOptions {
  readonly failureDestination?: (destinationArn: string, note: Record<string, unknown>) => Promise<void>;
}

/** The execution role of the function a mapping invokes, which Lambda names as `invokeIdentityArn`. */
function roleOf(model: LocalCloudModel, functionArn: string): string {
  const fn = model.resources.find(
    (r) =>
      r.type === 'AWS::Lambda::Function' &&
      (r.attributes.Arn === functionArn || r.physicalId === functionArn),
  );
  return typeof fn?.properties.Role === 'string' ? fn.properties.Role : '';
}

/**
 * Kinesis Data Streams: an embedded engine (kinesalite) with the template's streams, behind an endpoint that
 * speaks HTTP/1.1 and cleartext HTTP/2 (`AWS_ENDPOINT_URL_KINESIS`, which the SDK's Kinesis client needs), and a
 * poller per shard of every Kinesis event-source mapping. Streams and records live in memory (not kept under
 * `--persist`); on-demand scaling, enhanced fan-out (SubscribeToShard) and resharding are not emulated.
 */
export function kinesisService(options: KinesisServiceOptions = {}): LocalService {
  return {
    name: 'kinesis',
    resourceTypes: {
      emulated: ['AWS::Kinesis::Stream', 'AWS::Lambda::EventSourceMapping'],
      notEmulated: {
        'AWS::Kinesis::StreamConsumer':
          'enhanced fan-out consumers are not emulated (the mapping reads the shards)',
      },
    },
    async bind(context) {
      const engine = kinesalite({
        createStreamMs: 0,
        deleteStreamMs: 0,
        updateStreamMs: 0,
        shardLimit: 1000,
      });
      const engineEndpoint = `http://127.0.0.1:${await listenOn(engine, 0)}`;
      const front = new DualProtocolFront(engineEndpoint);
      const endpoint = await front.listen(context.servicePort(0));
      const client = new KinesisClient({
        region: context.region,
        endpoint,
        credentials: context.credentials,
      });
      let pollers: KinesisShardPoller[] = [];

      const createStreams = async (streams: readonly KinesisStreamDefinition[]) => {
        for (const stream of streams) {
          try {
            await client.send(
              new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }),
            );
          } catch (error) {
            if (!(error instanceof ResourceInUseException)) throw error;
          }
        }
        for (const stream of streams) {
          for (let attempt = 0; attempt < 100; attempt++) {
            const { StreamDescription } = await client.send(
              new DescribeStreamCommand({ StreamName: stream.name }),
            );
            if (StreamDescription?.StreamStatus === 'ACTIVE') break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      };

      const startPollers = async (model: LocalCloudModel, invoker: LambdaInvoker) => {
        const notServed: NotEmulatedResources[] = [];
        for (const mapping of eventSourceMappings(model, 'kinesis')) {
          const streamName = streamNameOfArn(mapping.eventSourceArn);
          let shards: string[];
          try {
            const { StreamDescription } = await client.send(
              new DescribeStreamCommand({ StreamName: streamName }),
            );
            shards = (StreamDescription?.Shards ?? []).map((shard) => shard.ShardId ?? '');
          } catch {
            notServed.push({
              type: 'AWS::Lambda::EventSourceMapping',
              logicalIds: [`${mapping.stackName}/${mapping.logicalId}`],
              reason: `it reads stream ${streamName}, which the template does not define`,
            });
            continue;
          }
          for (const shardId of shards) {
            const poller = new KinesisShardPoller({
              mapping,
              client,
              streamName,
              streamArn: mapping.eventSourceArn,
              shardId,
              region: model.region,
              roleArn: roleOf(model, mapping.functionName),
              invoker,
              ...(options.failureDestination ? { onFailure: options.failureDestination } : {}),
              log: context.log,
            });
            poller.start();
            pollers.push(poller);
          }
        }
        return notServed;
      };
      const stopPollers = async () => {
        await Promise.all(pollers.map((poller) => poller.stop()));
        pollers = [];
      };

      return {
        functionEnv: { AWS_ENDPOINT_URL_KINESIS: endpoint },
        async start({ model, invoker }) {
          await createStreams(kinesisStreams(model));
          const notServed = await startPollers(model, invoker);
          return {
            endpoints: [{ kind: 'Kinesis', name: 'kinesis', url: endpoint }],
            notServed,
            reload: async (next) => {
              await stopPollers();
              await createStreams(kinesisStreams(next.model));
              await startPollers(next.model, invoker);
              return { changed: ['streams and event sources re-read'] };
            },
          };
        },
        async close() {
          await stopPollers();
          client.destroy();
          await front.close();
          await closeServer(engine);
        },
      };
    },
  };
}
