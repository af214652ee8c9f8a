import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type CfnTableProperties, createTableInput, LocalStreams } from 'cdk-local-cloud/testing';
import dynalite from 'dynalite';
import { stageConfig } from '../../infra/config';
import { StatefulStack } from '../../infra/stateful-stack';
import { TEST_ENV } from './test-env';

/** Table logical-id prefixes in the stateful stack → the names the handlers under test are configured with. */
const TABLE_NAMES: Record<string, string> = {
  Table: TEST_ENV.TABLE_NAME,
  IdempotencyTable: TEST_ENV.IDEMPOTENCY_TABLE_NAME,
};

let cachedTables: Array<{ logicalId: string; props: CfnTableProperties }> | undefined;

/** The tables exactly as the stateful stack synthesizes them, so tests cannot drift from what deploys. */
function tablesFromStack(): Array<{ logicalId: string; props: CfnTableProperties }> {
  if (!cachedTables) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new StatefulStack(app, 'TestStateful', { config: stageConfig('sandbox') });
    const resources = Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable');
    cachedTables = Object.entries(resources).map(([logicalId, r]) => ({
      logicalId,
      props: r.Properties as CfnTableProperties,
    }));
  }
  return cachedTables;
}

export interface DynamoEngine {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Starts dynalite (a real DynamoDB engine, in memory) in this process on a random port behind the local cloud's
 * DynamoDB front (which answers what dynalite lacks, e.g. TransactWriteItems), creates the stack's tables in it
 * and points the AWS SDK at the front through AWS_ENDPOINT_URL_DYNAMODB, as the local cloud does for deployed
 * handlers.
 */
export async function startDynamo(): Promise<DynamoEngine> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const front = await LocalStreams.start({
    engineEndpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
    log: () => undefined,
  });
  const endpoint = front.endpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  const client = new DynamoDBClient({ endpoint });
  for (const { logicalId, props } of tablesFromStack()) {
    const name = TABLE_NAMES[logicalId.replace(/[0-9A-F]{8}$/, '')];
    if (!name) throw new Error(`no test table name for ${logicalId}`);
    await client.send(new CreateTableCommand(createTableInput(name, props)));
  }
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await front.close();
      await new Promise<void>((resolve, reject) => server.close((e?: Error) => (e ? reject(e) : resolve())));
    },
  };
}
