import type { LocalService, ServiceEndpoint } from '../local-service';
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
      const servers: WebSocketApiServer[] = [];
      return {
        async start({ model, invoker, credentials, region, apiPort, log, onRequest }) {
          const endpoints: ServiceEndpoint[] = [];
          for (const apiId of webSocketApiIds(model)) {
            const api = model.resources.find((r) => r.physicalId === apiId);
            const server = createWebSocketApiServer({
              model,
              apiId,
              invoker,
              region,
              accountId: model.accountId,
              credentials,
              log,
              onRequest,
            });
            await server.listen(apiPort(apiId));
            servers.push(server);
            for (const stage of server.definition.stages.keys()) {
              const name = api ? `${api.stackName}/${api.logicalId}` : apiId;
              const described = {
                stackName: api?.stackName ?? '',
                logicalId: api?.logicalId ?? '',
                apiId,
                stage,
              };
              endpoints.push({ kind: 'WebSocket API', name, url: `${server.url}/${stage}`, api: described });
              endpoints.push({
                kind: '@connections',
                name,
                url: `${server.callbackUrl}/${stage}/@connections`,
                api: described,
              });
            }
          }
          return { endpoints };
        },
        async close() {
          // Before the Lambda runtime closes (services close in reverse order): `$disconnect` still runs.
          for (const server of servers.splice(0)) await server.close();
        },
      };
    },
  };
}
