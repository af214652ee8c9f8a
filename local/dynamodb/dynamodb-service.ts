import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
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

/**
 * DynamoDB: an embedded engine (dynalite, in memory or persisted under `--persist`) with every table of the
 * template, reached by functions through `AWS_ENDPOINT_URL_DYNAMODB`.
 */
export function dynamoDbService(): LocalService {
  return {
    name: 'dynamodb',
    resourceTypes: { emulated: [...TABLE_TYPES] },
    async bind(context) {
      const engine = dynalite({
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
        ...(context.dataDir ? { path: context.dataDir } : {}),
      });
      const endpoint = `http://127.0.0.1:${await listenOn(engine, 0)}`;
      return {
        functionEnv: { AWS_ENDPOINT_URL_DYNAMODB: endpoint },
        async start({ model, region, credentials }) {
          const client = new DynamoDBClient({ region, endpoint, credentials });
          try {
            await createTables(client, model);
          } finally {
            client.destroy();
          }
          return { endpoints: [{ kind: 'DynamoDB', name: 'dynamodb', url: endpoint }] };
        },
        close: () => closeServer(engine),
      };
    },
  };
}
