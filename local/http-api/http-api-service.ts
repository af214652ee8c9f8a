import type { LocalService, ServiceEndpoint } from '../local-service';
import type { LocalCloudModel } from '../model';
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
      const servers = new Map<string, HttpApiServer>();
      return {
        async start({ model, invoker, credentials, region, apiPort, log, onRequest }) {
          /** Serves every HTTP API of `served`: new ones on their port, known ones re-read in place. */
          const serve = async (served: LocalCloudModel): Promise<string[]> => {
            const changed: string[] = [];
            const apis = httpApiResources(served);
            for (const [apiId, server] of servers) {
              if (apis.some((api) => api.physicalId === apiId)) continue;
              servers.delete(apiId);
              await server.close();
              changed.push(`API ${apiId} removed`);
            }
            for (const api of apis) {
              const running = servers.get(api.physicalId);
              if (running) {
                running.reload(served);
                changed.push(`API ${api.logicalId} re-read`);
                continue;
              }
              const server = createHttpApiServer({
                model: served,
                apiId: api.physicalId,
                invoker,
                region,
                accountId: served.accountId,
                credentials,
                log,
                onRequest,
                throttling: options.throttling !== false,
              });
              await server.listen(apiPort(api.physicalId));
              servers.set(api.physicalId, server);
              changed.push(`API ${api.logicalId} added`);
            }
            return changed;
          };
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
          await serve(model);
          return {
            endpoints: endpointsOf(model),
            reload: async (next) => ({
              changed: await serve(next.model),
              endpoints: endpointsOf(next.model),
            }),
          };
        },
        async close() {
          const open = [...servers.values()];
          servers.clear();
          for (const server of open) await server.close();
        },
      };
    },
  };
}
