import { ApiServers } from '../gateway/api-servers';
import type { IamAuthority } from '../iam/call-authority';
import { apiGatewayInvoker } from '../iam/invocation-guard';
import type { LocalService, ServiceEndpoint } from '../local-service';
import type { LocalCloudModel } from '../model';
import { awsServiceEndpoints } from '../rest-api/rest-api-service';
import { HTTP_API_RESOURCE_TYPES, httpApiResources } from './http-api-definition';
import { createHttpApiServer, type HttpApiServer } from './http-api-server';

export interface HttpApiServiceOptions {
  /** Enforce stage and route throttling. @default true */
  readonly throttling?: boolean | undefined;
  /** IAM: functions' permissions for API Gateway, AWS_IAM routes' policies. @default not evaluated */
  readonly iam?: IamAuthority;
}

/**
 * API Gateway HTTP APIs (v2): each `ProtocolType: HTTP` API on the port its execute-api URL names — the
 * `$default` stage at `/`, named stages at `/<stage>` — with JWT, Lambda and IAM authorizers and CORS.
 */
export function httpApiService(options: HttpApiServiceOptions = {}): LocalService {
  return {
    name: 'http-api',
    resourceTypes: { emulated: [...HTTP_API_RESOURCE_TYPES] },
    async bind() {
      const servers = new ApiServers<HttpApiServer>();
      return {
        async start({
          model,
          invoker: functions,
          credentials,
          region,
          apiPort,
          log,
          onRequest,
          functionEnv,
        }) {
          const invoker = apiGatewayInvoker(functions, options.iam);
          const endpointsOf = (served: LocalCloudModel): ServiceEndpoint[] =>
            httpApiResources(served).flatMap((api) => {
              const server = servers.get(api.physicalId);
              const base = `http://127.0.0.1:${apiPort(api.physicalId)}`;
              return [...(server?.definition.stages.keys() ?? [])].map((stage) => ({
                kind: 'HTTP API',
                name: `${api.stackName}/${api.logicalId}`,
                url: stage === '$default' ? base : `${base}/${stage}`,
                api: { stackName: api.stackName, logicalId: api.logicalId, apiId: api.physicalId, stage },
              }));
            });
          return servers.start(model, {
            apis: (served) =>
              httpApiResources(served).map((api) => ({ apiId: api.physicalId, label: api.logicalId })),
            port: apiPort,
            create: ({ apiId }, served) =>
              createHttpApiServer({
                model: served,
                apiId,
                invoker,
                region,
                accountId: served.accountId,
                credentials,
                ...(options.iam ? { iam: options.iam } : {}),
                log,
                onRequest,
                throttling: options.throttling !== false,
                serviceEndpoints: awsServiceEndpoints(functionEnv),
              }),
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
