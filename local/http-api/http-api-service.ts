import type { LocalService, ServiceEndpoint } from '../local-service';
import { HTTP_API_RESOURCE_TYPES, httpApiResources } from './http-api-definition';
import { createHttpApiServer, type HttpApiServer } from './http-api-server';

export interface HttpApiServiceOptions {
  /** Enforce stage and route throttling. @default true */
  readonly throttling?: boolean | undefined;
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
      const servers: HttpApiServer[] = [];
      return {
        async start({ model, invoker, credentials, region, apiPort, log, onRequest }) {
          const endpoints: ServiceEndpoint[] = [];
          for (const api of httpApiResources(model)) {
            const server = createHttpApiServer({
              model,
              apiId: api.physicalId,
              invoker,
              region,
              accountId: model.accountId,
              credentials,
              log,
              onRequest,
              throttling: options.throttling !== false,
            });
            const base = await server.listen(apiPort(api.physicalId));
            servers.push(server);
            for (const stage of server.definition.stages.keys()) {
              endpoints.push({
                kind: 'HTTP API',
                name: `${api.stackName}/${api.logicalId}`,
                url: stage === '$default' ? base : `${base}/${stage}`,
                api: { stackName: api.stackName, logicalId: api.logicalId, apiId: api.physicalId, stage },
              });
            }
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
