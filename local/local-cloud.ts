import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createApiGatewayControlServer } from './apigateway-control/control-server';
import { type CfnTableProperties, createTableInput } from './dynamodb-tables';
import { createIdentityServer, issuerUrlFor, type LocalIdentity } from './identity/identity-server';
import {
  createLambdaRuntime,
  type LambdaRuntime,
  type LogSink,
  localFunctionFromResource,
  UnsupportedFunctionError,
} from './lambda';
import { closeServer, listenOn, loopbackServer } from './loopback-server';
import type { LambdaInvoker, LocalCloudModel, LocalResource } from './model';
import { ApiKeyStore } from './rest-api/api-key-store';
import { createRestAuthorizers } from './rest-api/authorizers/rest-authorizers';
import { createRestApiServer } from './rest-api/rest-api-server';
import { UsageMeter } from './rest-api/usage-meter';
import {
  type LoadedCloudAssembly,
  loadCloudAssembly,
  type UnsupportedResources,
} from './template/cloud-assembly';

/** Resource types the local cloud serves (or, for IAM and log groups, accepts knowingly: see the README). */
export const SUPPORTED_TYPES = [
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Logs::LogGroup',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolGroup',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
];

/** Credentials of the local cloud: what SigV4 callers sign with, and what functions receive. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'AKIALOCALCLOUD000001',
  secretAccessKey: 'local-cloud-secret-access-key-not-a-real-secret',
} as const;

export interface LocalCloudOptions {
  /** The synthesized cloud assembly (cdk.out). */
  readonly cdkOut: string;
  /**
   * First port for the REST APIs (one port each, in template order); identity and DynamoDB take free ports.
   * 0 picks a free base port (the APIs' URLs must be known before they listen, as the template uses them).
   * @default 3000
   */
  readonly port?: number;
  /** Directory that keeps DynamoDB data and identity users/keys across restarts. @default in memory */
  readonly persistDir?: string;
  /** @default process.stdout */
  readonly log?: LogSink;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Enforce stage, method and usage-plan throttling and quotas, as API Gateway does. Benchmarks turn it off
   * to measure the pipeline rather than the configured limits.
   * @default true
   */
  readonly throttling?: boolean;
  /** Sees every event the gateway hands a function (tests compare them with AWS's captures). */
  readonly onEvent?: (functionArn: string, event: unknown) => void;
}

/** A meter that admits everything: throttling and quotas off. */
class UnlimitedMeter extends UsageMeter {
  override take(): boolean {
    return true;
  }
  override consume(): boolean {
    return true;
  }
}

export interface LocalRestApi {
  readonly stackName: string;
  readonly logicalId: string;
  readonly restApiId: string;
  readonly stage: string;
  /** `http://127.0.0.1:<port>/<stage>` */
  readonly url: string;
}

export interface LocalCloud {
  readonly model: LocalCloudModel;
  readonly restApis: readonly LocalRestApi[];
  readonly identity: LocalIdentity;
  readonly dynamoEndpoint: string;
  readonly runtime: LambdaRuntime;
  readonly unsupported: readonly UnsupportedResources[];
  /**
   * Re-reads the cloud assembly (after a re-synth into the same directory). When only function code or
   * configuration changed, those functions start fresh environments from the new bundles and everything
   * else — data, users, keys, caches — stays; any other template change is reported, for a restart.
   */
  reload(): Promise<{ readonly templateChanged: boolean; readonly changedFunctions: readonly string[] }>;
  close(): Promise<void>;
}

async function createTables(client: DynamoDBClient, model: LocalCloudModel): Promise<void> {
  const tables = model.resources.filter(
    (r) => r.type === 'AWS::DynamoDB::Table' || r.type === 'AWS::DynamoDB::GlobalTable',
  );
  for (const table of tables) {
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

/** A port that is free now: the OS picks it for a throwaway listener. */
async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listenOn(probe, 0);
  await closeServer(probe);
  return port;
}

/**
 * The template as the local cloud serves it, minus where function code lives: two assemblies with the same
 * fingerprint differ at most in function bundles, which the runtime can swap without a restart.
 */
function templateFingerprint(model: LocalCloudModel): string {
  return JSON.stringify(
    model.resources.map((r) =>
      r.type === 'AWS::Lambda::Function' ? { ...r, properties: { ...r.properties, Code: undefined } } : r,
    ),
  );
}

function stageOf(model: LocalCloudModel, api: LocalResource): string {
  const stage = model.resources.find(
    (r) => r.type === 'AWS::ApiGateway::Stage' && r.properties.RestApiId === api.physicalId,
  );
  return String(stage?.properties.StageName ?? 'prod');
}

/**
 * Starts the local cloud for a synthesized CDK app: DynamoDB (dynalite) with the template's tables, the
 * Cognito-compatible identity server, every Node.js function in worker threads, and each REST API on its own
 * port — all configured from the template, so what runs here is what deploys.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const log = options.log ?? process.stdout;
  const region = options.region ?? 'us-east-1';
  const basePort = options.port === 0 ? await freePort() : (options.port ?? 3000);
  if (options.persistDir) mkdirSync(options.persistDir, { recursive: true });

  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.persistDir ? { path: join(options.persistDir, 'dynamodb') } : {}),
  });
  const dynamoPort = await listenOn(dynamo, 0);
  const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;

  const identity = await createIdentityServer({
    ...(options.persistDir ? { dataDir: join(options.persistDir, 'identity') } : {}),
  });

  // REST APIs get consecutive ports in the order the template loader meets them.
  const apiPorts = new Map<string, number>();
  const loadAssembly = () =>
    loadCloudAssembly(options.cdkOut, {
      region,
      supportedTypes: SUPPORTED_TYPES,
      endpoints: {
        cognitoIssuer: (userPoolId) => issuerUrlFor(identity.port, userPoolId),
        executeApi: (apiId, scheme) => {
          if (scheme !== 'https') return undefined;
          if (!apiPorts.has(apiId)) apiPorts.set(apiId, basePort + apiPorts.size);
          return `http://127.0.0.1:${apiPorts.get(apiId)}`;
        },
      },
    });
  const loaded = loadAssembly();
  const { model } = loaded;

  const dynamoClient = new DynamoDBClient({
    region,
    endpoint: dynamoEndpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  await createTables(dynamoClient, model);
  dynamoClient.destroy();
  identity.registerModel(model);

  // One key store for every REST API and the control plane, so a key created at run time meters at once.
  const apiKeys = ApiKeyStore.fromModel(model);
  const control = createApiGatewayControlServer({
    apiKeys,
    log: (line) => log.write(`[apigateway] ${line}\n`),
  });
  const controlEndpoint = await control.listen(0);

  const functionsOf = (assembly: LoadedCloudAssembly) =>
    assembly.model.resources
      .filter((r) => r.type === 'AWS::Lambda::Function')
      .flatMap((resource) => {
        try {
          return [localFunctionFromResource(resource, assembly.assets(resource))];
        } catch (error) {
          if (error instanceof UnsupportedFunctionError) {
            log.write(
              `[local] skipping function ${resource.stackName}/${resource.logicalId}: ${error.message}\n`,
            );
            return [];
          }
          throw error;
        }
      });
  const functions = functionsOf(loaded);
  const runtime = createLambdaRuntime(functions, {
    log,
    extraEnv: {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: identity.endpoint,
      AWS_ENDPOINT_URL_API_GATEWAY: controlEndpoint,
    },
  });

  const onEvent = options.onEvent;
  const invoker: LambdaInvoker = onEvent
    ? {
        invoke: (functionArn, event) => {
          onEvent(functionArn, event);
          return runtime.invoke(functionArn, event);
        },
      }
    : runtime;

  const authorizers = createRestAuthorizers({
    model,
    invoker,
    identity,
    credentials: { [LOCAL_CREDENTIALS.accessKeyId]: LOCAL_CREDENTIALS.secretAccessKey },
    region,
    accountId: model.accountId,
  });

  const servers: Array<{ close(): Promise<void> }> = [];
  const restApis: LocalRestApi[] = [];
  for (const api of model.resources.filter((r) => r.type === 'AWS::ApiGateway::RestApi')) {
    const port = apiPorts.get(api.physicalId) ?? basePort + apiPorts.size;
    apiPorts.set(api.physicalId, port);
    const server = createRestApiServer({
      model,
      restApiId: api.physicalId,
      invoker,
      authorizers,
      apiKeys,
      ...(options.throttling === false ? { meter: new UnlimitedMeter() } : {}),
      region,
      accountId: model.accountId,
      log: (line) => log.write(`${line}\n`),
    });
    const base = await server.listen(port);
    servers.push(server);
    const stage = stageOf(model, api);
    restApis.push({
      stackName: api.stackName,
      logicalId: api.logicalId,
      restApiId: api.physicalId,
      stage,
      url: `${base}/${stage}`,
    });
  }

  return {
    model,
    restApis,
    identity,
    dynamoEndpoint,
    runtime,
    unsupported: loaded.unsupported,
    reload: async () => {
      const next = loadAssembly();
      if (templateFingerprint(next.model) !== templateFingerprint(model)) {
        return { templateChanged: true, changedFunctions: [] };
      }
      return { templateChanged: false, changedFunctions: await runtime.update(functionsOf(next)) };
    },
    close: async () => {
      for (const server of servers) await server.close();
      await runtime.close();
      await control.close();
      await identity.close();
      await closeServer(dynamo);
    },
  };
}

/** A tiny loopback-only admin endpoint so CLIs (`npm run token`) can ask the running local cloud for tokens. */
export async function startAdminServer(
  identity: LocalIdentity,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = loopbackServer(async (request, response) => {
    try {
      if (request.method !== 'POST' || request.url !== '/tokens') {
        response.writeHead(404).end();
        return;
      }
      let body = '';
      for await (const chunk of request) body += String(chunk);
      const input = JSON.parse(body) as { userPoolId: string; clientId: string; username: string };
      const tokens = identity.mintTokens(input);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens));
    } catch (error) {
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    }
  });
  return { url: await server.listen(port), close: () => server.close() };
}
