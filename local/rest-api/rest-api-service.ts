import type { ApiKeyStore } from '../api-keys/api-key-store';
import { ApiServers } from '../gateway/api-servers';
import { UsageMeter } from '../gateway/usage-meter';
import type { IamAuthority } from '../iam/call-authority';
import { apiGatewayInvoker } from '../iam/invocation-guard';
import { secretLookup } from '../iam/secret-lookup';
import type { IdentityIssuers } from '../identity/identity-server';
import type { LocalService, ServiceEndpoint } from '../local-service';
import type { LocalCloudModel } from '../model';
import type { AuthorizerCaches } from './authorizer-caches';
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
  /** IAM: functions' permissions for API Gateway, AWS_IAM methods' policies. @default not evaluated */
  readonly iam?: IamAuthority;
  /** The stage caches, shared with the control plane (FlushStageCache). @default the service's own */
  readonly stageCaches?: StageCaches;
  /** The Lambda authorizers' result caches, shared with the control plane (FlushStageAuthorizersCache). */
  readonly authorizerCaches?: AuthorizerCaches;
  /** The meter, shared with the control plane (GetUsage reads its records). @default the service's own */
  readonly meter?: UsageMeter;
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
      const servers = new ApiServers<RestApiServer>();
      // One meter for every API: a key's quota is one count, whichever API it is used on; kept under --persist.
      const meter = options.throttling === false ? new UnlimitedMeter() : (options.meter ?? new UsageMeter());
      const stageCaches = options.stageCaches ?? new StageCaches();
      if (context.dataDir && options.throttling !== false) meter.persistQuotasIn(context.dataDir);
      return {
        async start({
          model,
          invoker: functions,
          credentials,
          region,
          apiPort,
          log,
          functionEnv,
          onRequest,
        }) {
          const invoker = apiGatewayInvoker(functions, options.iam);
          // Kept across reloads with the meter and the key store: cached authorizer results stay valid.
          const authorizers = createRestAuthorizers({
            invoker,
            identity: options.issuers,
            credentials: secretLookup(credentials, options.iam),
            ...(options.iam ? { iam: options.iam } : {}),
            region,
            accountId: model.accountId,
            authorizerCaches: options.authorizerCaches,
          });
          const endpointsOf = (served: LocalCloudModel): ServiceEndpoint[] =>
            served.resources
              .filter((r) => r.type === 'AWS::ApiGateway::RestApi')
              .map((api) => {
                const stage = served.resources.find(
                  (r) => r.type === 'AWS::ApiGateway::Stage' && r.properties.RestApiId === api.physicalId,
                );
                const stageName = String(stage?.properties.StageName ?? 'prod');
                return {
                  kind: 'REST API',
                  name: `${api.stackName}/${api.logicalId}`,
                  url: `http://127.0.0.1:${apiPort(api.physicalId)}/${stageName}`,
                  api: {
                    stackName: api.stackName,
                    logicalId: api.logicalId,
                    apiId: api.physicalId,
                    stage: stageName,
                  },
                };
              });
          return servers.start(model, {
            apis: (served) =>
              served.resources
                .filter((r) => r.type === 'AWS::ApiGateway::RestApi')
                .map((api) => ({ apiId: api.physicalId, label: api.logicalId })),
            port: apiPort,
            create: ({ apiId }, served) => {
              const server = createRestApiServer({
                model: served,
                restApiId: apiId,
                invoker,
                authorizers,
                apiKeys: options.apiKeys,
                meter,
                region,
                accountId: served.accountId,
                log,
                onRequest,
                awsServices: { endpoints: awsServiceEndpoints(functionEnv), credentials },
                stageCaches,
              });
              // A (re)deployment starts the API's stages with empty caches, as a redeployed stage does.
              stageCaches.flushApi(server.apiId);
              return server;
            },
            // A redeployment starts the API's stages with empty caches.
            reloaded: ({ apiId }) => stageCaches.flushApi(apiId),
            endpoints: endpointsOf,
          });
        },
        async close() {
          await servers.close();
        },
      };
    },
  };
}
