import { ApiServers } from '../gateway/api-servers';
import type { LocalService, ServiceEndpoint } from '../local-service';
import type { LocalCloudModel } from '../model';
import { WEBSOCKET_API_RESOURCE_TYPES, webSocketApiIds } from './websocket-api-definition';
import { createWebSocketApiServer, type WebSocketApiServer } from './websocket-api-server';

/**
 * API Gateway WebSocket APIs: each `ProtocolType: WEBSOCKET` API on the port its execute-api URLs name —
 * clients at `ws://127.0.0.1:<port>/<stage>`, the `@connections` management API (the template's callback
 * URL) at `http://127.0.0.1:<port>/<stage>/@connections/<id>`. The same port answers `https://` and `wss://` with
 * the loopback certificate function workers trust, for functions that build the endpoint from the event.
 */
export function webSocketService(): LocalService {
  return {
    name: 'websocket',
    resourceTypes: { emulated: [...WEBSOCKET_API_RESOURCE_TYPES] },
    async bind() {
      const servers = new ApiServers<WebSocketApiServer>();
      return {
        async start({ model, invoker, credentials, region, apiPort, log, onRequest }) {
          /**
           * Serves every WebSocket API of `served`: new ones on their port, known ones re-read in place so
           * their open connections stay.
           */
          const serve = (served: LocalCloudModel): Promise<string[]> =>
            servers.serve(
              served,
              webSocketApiIds(served).map((apiId) => ({ apiId, label: apiId })),
              {
                port: apiPort,
                create: ({ apiId }) =>
                  createWebSocketApiServer({
                    model: served,
                    apiId,
                    invoker,
                    region,
                    accountId: served.accountId,
                    credentials,
                    log,
                    onRequest,
                  }),
              },
            );
          const endpointsOf = (served: LocalCloudModel): ServiceEndpoint[] =>
            webSocketApiIds(served).flatMap((apiId) => {
              const server = servers.get(apiId);
              if (server === undefined) return [];
              const api = served.resources.find((r) => r.physicalId === apiId);
              const name = api ? `${api.stackName}/${api.logicalId}` : apiId;
              return [...server.definition.stages.keys()].flatMap((stage) => {
                const described = {
                  stackName: api?.stackName ?? '',
                  logicalId: api?.logicalId ?? '',
                  apiId,
                  stage,
                };
                return [
                  { kind: 'WebSocket API', name, url: `${server.url}/${stage}`, api: described },
                  {
                    kind: '@connections',
                    name,
                    url: `${server.callbackUrl}/${stage}/@connections`,
                    api: described,
                  },
                ];
              });
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
          // Before the Lambda runtime closes (services close in reverse order): `$disconnect` still runs.
          await servers.close();
        },
      };
    },
  };
}
