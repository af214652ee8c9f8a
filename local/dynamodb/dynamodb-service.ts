import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { LocalStreams } from '../dynamodb-streams/local-streams';
import type { RequestAuthorizer } from '../dynamodb-streams/stream-capture';
import type { FailureDestination } from '../dynamodb-streams/stream-poller';
import type { IamAuthority } from '../iam/call-authority';
import { dynamoDbCalls, dynamoDbTables } from '../iam/dynamodb-calls';
import type { LocalService } from '../local-service';
import type { LocalCloudModel } from '../model';
import { startDynamoDbEngine } from './dynamodb-engine';
import { jsonAnswer } from './dynamodb-errors';
import { type CfnTableProperties, createTableInput } from './template-tables';

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

/** Creates every table of the model the engine lacks; resolves to the names of those it created. */
async function createTables(client: DynamoDBClient, model: LocalCloudModel): Promise<string[]> {
  const created: string[] = [];
  for (const table of model.resources.filter((r) => TABLE_TYPES.has(r.type))) {
    try {
      await client.send(
        new CreateTableCommand(
          createTableInput(table.physicalId, table.properties as unknown as CfnTableProperties),
        ),
      );
      created.push(table.physicalId);
    } catch (error) {
      // A persisted engine (or the running one, on reload) already has it.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  return created;
}

/** The tables of the model by name, as compared on reload. */
function tableDefinitions(model: LocalCloudModel): Map<string, string> {
  return new Map(
    model.resources
      .filter((r) => TABLE_TYPES.has(r.type))
      .map((r) => [r.physicalId, JSON.stringify(r.properties)] as const),
  );
}

export interface DynamoDbServiceOptions {
  /** Where stream mappings' on-failure notes go (an SQS queue by ARN); without it they are only logged. */
  readonly failureDestination?: FailureDestination;
  /** IAM: who may call what. @default every call is served */
  readonly iam?: IamAuthority;
}

/** IAM's check of each request: `AccessDeniedException` (400, DynamoDB's JSON protocol) naming principal and action. */
function iamCheck(
  iam: IamAuthority,
  tablesOf: () => ReturnType<typeof dynamoDbTables>,
  model: () => LocalCloudModel,
): RequestAuthorizer {
  return (headers, url, operation, input) => {
    if (iam.mode === 'off') return undefined;
    const { region, accountId } = model();
    const calls = dynamoDbCalls(operation, input, tablesOf(), region, accountId);
    const refusal = iam.authorizeAll(iam.principalOfRequest(headers, url), calls);
    return refusal
      ? jsonAnswer(400, {
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: refusal.message,
        })
      : undefined;
  };
}

/**
 * DynamoDB: an embedded engine (dynalite in a worker thread, in memory or persisted under `--persist`) with every table of the
 * template, and the tables' streams (dynalite has none: a capture proxy in front of it records them) with a
 * poller per stream event-source mapping. Functions reach the proxy through `AWS_ENDPOINT_URL_DYNAMODB`.
 */
export function dynamoDbService(options: DynamoDbServiceOptions = {}): LocalService {
  return {
    name: 'dynamodb',
    resourceTypes: { emulated: [...TABLE_TYPES, 'AWS::Lambda::EventSourceMapping'] },
    async bind(context) {
      const engine = await startDynamoDbEngine({
        port: context.servicePort(1),
        ...(context.dataDir ? { path: context.dataDir } : {}),
      });
      const engineEndpoint = engine.endpoint;
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
          const withClient = async <T>(work: (client: DynamoDBClient) => Promise<T>): Promise<T> => {
            const client = new DynamoDBClient({ region, endpoint: engineEndpoint, credentials });
            try {
              return await work(client);
            } finally {
              client.destroy();
            }
          };
          await withClient((client) => createTables(client, model));
          const failureDestination: FailureDestination =
            options.failureDestination ??
            (async (destination, note) =>
              context.log(`no destination ${destination} for ${JSON.stringify(note)}`));
          streams.configure(model);
          streams.startEventSources(model, invoker, failureDestination);
          let served = model;
          let tables = dynamoDbTables(model);
          if (options.iam)
            streams.authorizeWith(
              iamCheck(
                options.iam,
                () => tables,
                () => served,
              ),
            );
          return {
            // Same engine: new tables are created, existing ones keep their items. A changed key schema or
            // index is not applied to a table that already exists (dynalite cannot alter them in place): said.
            reload: async (next) => {
              const before = tableDefinitions(served);
              const created = await withClient((client) => createTables(client, next.model));
              const changed = [...tableDefinitions(next.model)]
                .filter(([name, definition]) => before.has(name) && before.get(name) !== definition)
                .map(([name]) => name);
              for (const name of changed)
                context.log(
                  `table ${name} changed in the template: kept as it was with its items (restart with a fresh engine to apply key or index changes)`,
                );
              await streams.stopEventSources();
              streams.configure(next.model);
              streams.startEventSources(next.model, invoker, failureDestination);
              served = next.model;
              tables = dynamoDbTables(next.model);
              return {
                changed: [
                  ...created.map((name) => `table ${name} created`),
                  ...changed.map((name) => `table ${name} kept as it was`),
                  'streams and event sources re-read',
                ],
              };
            },
            endpoints: [
              { kind: 'DynamoDB', name: 'dynamodb', url: endpoint },
              // Listed so every listener is known (and can be firewalled); writes here bypass the streams.
              { kind: 'DynamoDB engine (no streams)', name: 'dynamodb', url: engineEndpoint },
            ],
          };
        },
        async close() {
          await streams.close();
          await engine.close();
        },
      };
    },
  };
}
