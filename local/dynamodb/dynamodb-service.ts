import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LocalStreams } from '../dynamodb-streams/local-streams';
import type { FailureDestination } from '../dynamodb-streams/stream-poller';
import type { LocalService } from '../local-service';
import { closeServer, listenOn } from '../loopback-server';
import type { LocalCloudModel } from '../model';
import { type CfnTableProperties, createTableInput } from './template-tables';

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

async function createTables(client: DynamoDBClient, model: LocalCloudModel): Promise<void> {
  for (const table of model.resources.filter((r) => TABLE_TYPES.has(r.type))) {
    try {
      await client.send(
        new CreateTableCommand(
          createTableInput(table.physicalId, table.properties as unknown as CfnTableProperties),
        ),
      );
    } catch (error) {
      // A persisted engine already has it.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

export interface DynamoDbServiceOptions {
  /** Where stream mappings' on-failure notes go (an SQS queue by ARN); without it they are only logged. */
  readonly failureDestination?: FailureDestination;
}

/**
 * DynamoDB: an embedded engine (dynalite, in memory or persisted under `--persist`) with every table of the
 * template, and the tables' streams (dynalite has none: a capture proxy in front of it records them) with a
 * poller per stream event-source mapping. Functions reach the proxy through `AWS_ENDPOINT_URL_DYNAMODB`.
 */
export function dynamoDbService(options: DynamoDbServiceOptions = {}): LocalService {
  return {
    name: 'dynamodb',
    resourceTypes: { emulated: [...TABLE_TYPES, 'AWS::Lambda::EventSourceMapping'] },
    async bind(context) {
      const engine = dynalite({
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
        ...(context.dataDir ? { path: context.dataDir } : {}),
      });
      const engineEndpoint = `http://127.0.0.1:${await listenOn(engine, context.servicePort(1))}`;
      const streams = await LocalStreams.start({
        engineEndpoint,
        region: context.region,
        credentials: context.credentials,
        port: context.servicePort(0),
        // Beside the engine's directory, not in it: that one is LevelDB's.
        ...(context.dataDir ? { dataDir: `${context.dataDir}-streams` } : {}),
        log: context.log,
        onBatch: (report) => {
          if (report.error) context.log(`${report.mapping}: ${report.outcome} after: ${report.error}`);
        },
      });
      const endpoint = streams.endpoint;
      return {
        functionEnv: { AWS_ENDPOINT_URL_DYNAMODB: endpoint },
        async start({ model, region, credentials, invoker }) {
          const client = new DynamoDBClient({ region, endpoint: engineEndpoint, credentials });
          try {
            await createTables(client, model);
          } finally {
            client.destroy();
          }
          streams.configure(model);
          streams.startEventSources(
            model,
            invoker,
            options.failureDestination ??
              (async (destination, note) =>
                context.log(`no destination ${destination} for ${JSON.stringify(note)}`)),
          );
          return {
            endpoints: [
              { kind: 'DynamoDB', name: 'dynamodb', url: endpoint },
              // Listed so every listener is known (and can be firewalled); writes here bypass the streams.
              { kind: 'DynamoDB engine (no streams)', name: 'dynamodb', url: engineEndpoint },
            ],
          };
        },
        async close() {
          await streams.close();
          await closeServer(engine);
        },
      };
    },
  };
}
