import type { ApiKeyStore } from '../api-keys/api-key-store';
import type { RequestListener } from '../gateway/request-record';
import { UsageMeter } from '../gateway/usage-meter';
import type { IdentityIssuers } from '../identity/identity-server';
import type { LocalService, ServiceEndpoint } from '../local-service';
import { createRestAuthorizers } from './authorizers/rest-authorizers';
import { createRestApiServer, type RestApiServer } from './rest-api-server';
import { StageCaches } from './stage-cache';

/** What the REST APIs share with other services. */
export interface RestApiServiceOptions {
  /** The key store the control plane loads and adds to. */
  readonly apiKeys: ApiKeyStore;
  /** The local issuer whose keys verify COGNITO_USER_POOLS tokens. */
  readonly issuers: IdentityIssuers;
  /** Enforce stage, method and usage-plan throttling and quotas. @default true */
  readonly throttling?: boolean;
  /** The stage caches, shared with the control plane (FlushStageCache). @default the service's own */
  readonly stageCaches?: StageCaches;
  /** Receives one record per request (the request log). */
  readonly onRequest?: RequestListener;
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

/**
 * The service endpoints `AWS` integrations call: the same `AWS_ENDPOINT_URL_<SERVICE>` variables functions get
 * (so a DynamoDB write reaches the stream capture like a function's), keyed by the service name of an
 * integration Uri (`AWS_ENDPOINT_URL_DYNAMODB` → `dynamodb`).
 */
export function awsServiceEndpoints(functionEnv: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(functionEnv).flatMap(([name, url]) => {
      const service = /^AWS_ENDPOINT_URL_([A-Z0-9_]+)$/.exec(name)?.[1];
      return service ? [[service.toLowerCase().replace(/_/g, '-'), url]] : [];
    }),
  );
}

/**
 * API Gateway REST APIs: each AWS::ApiGateway::RestApi on the port its execute-api URL names, at
 * `http://127.0.0.1:<port>/<stage>`, with its authorizers, validators, API keys and usage plans.
 */
export function restApiService(options: RestApiServiceOptions): LocalService {
  return {
    name: 'rest-api',
    resourceTypes: {
      emulated: [
        'AWS::ApiGateway::RestApi',
        'AWS::ApiGateway::Resource',
        'AWS::ApiGateway::Method',
        'AWS::ApiGateway::Deployment',
        'AWS::ApiGateway::Stage',
        'AWS::ApiGateway::Authorizer',
        'AWS::ApiGateway::RequestValidator',
        'AWS::ApiGateway::Model',
        'AWS::ApiGateway::GatewayResponse',
      ],
    },
    async bind(context) {
      const servers: RestApiServer[] = [];
      // One meter for every API: a key's quota is one count, whichever API it is used on; kept under --persist.
      const meter = options.throttling === false ? new UnlimitedMeter() : new UsageMeter();
      const stageCaches = options.stageCaches ?? new StageCaches();
      if (context.dataDir && options.throttling !== false) meter.persistQuotasIn(context.dataDir);
      return {
        async start({ model, invoker, credentials, region, apiPort, log, functionEnv }) {
          const authorizers = createRestAuthorizers({
            invoker,
            identity: options.issuers,
            credentials: { [credentials.accessKeyId]: credentials.secretAccessKey },
            region,
            accountId: model.accountId,
          });
          const endpoints: ServiceEndpoint[] = [];
          for (const api of model.resources.filter((r) => r.type === 'AWS::ApiGateway::RestApi')) {
            const server = createRestApiServer({
              model,
              restApiId: api.physicalId,
              invoker,
              authorizers,
              apiKeys: options.apiKeys,
              meter,
              region,
              accountId: model.accountId,
              log,
              awsServices: { endpoints: awsServiceEndpoints(functionEnv), credentials },
              stageCaches,
              onRequest: options.onRequest,
            });
            // A (re)deployment starts the API's stages with empty caches, as a redeployed stage does.
            stageCaches.flushApi(server.apiId);
            const base = await server.listen(apiPort(api.physicalId));
            servers.push(server);
            const stageName =
              [...server.definition.stages.values()].find((stage) => stage.physicalId !== undefined)?.name ??
              'prod';
            endpoints.push({
              kind: 'REST API',
              name: `${api.stackName}/${api.logicalId}`,
              url: `${base}/${stageName}`,
              api: {
                stackName: api.stackName,
                logicalId: api.logicalId,
                apiId: api.physicalId,
                stage: stageName,
              },
            });
          }
          return { endpoints };
        },
        async close() {
          for (const server of servers.splice(0)) await server.close();
        },
      };
    },
  };
}
