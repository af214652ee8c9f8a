import { ApiServers } from '../gateway/api-servers';
import type { IamAuthority } from '../iam/call-authority';
import { apiGatewayInvoker } from '../iam/invocation-guard';
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
export function webSocketService(options: { readonly iam?: IamAuthority } = {}): LocalService {
  return {
    name: 'websocket',
    resourceTypes: { emulated: [...WEBSOCKET_API_RESOURCE_TYPES] },
    async bind() {
      const servers = new ApiServers<WebSocketApiServer>();
      return {
        async start({ model, invoker: functions, credentials, region, apiPort, log, onRequest }) {
          // Routes and the $connect authorizer run only with a permission for API Gateway (given IAM).
          const invoker = apiGatewayInvoker(functions, options.iam);
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
          // Known APIs are re-read in place, so their open connections stay.
          return servers.start(model, {
            apis: (served) => webSocketApiIds(served).map((apiId) => ({ apiId, label: apiId })),
            port: apiPort,
            create: ({ apiId }, served) =>
              createWebSocketApiServer({
                model: served,
                apiId,
                invoker,
                region,
                accountId: served.accountId,
                credentials,
                ...(options.iam ? { iam: options.iam } : {}),
                log,
                onRequest,
              }),
            endpoints: endpointsOf,
          });
        },
        async close() {
          // Before the Lambda runtime closes (services close in reverse order): `$disconnect` still runs.
          await servers.close();
        },
      };
    },
  };
}
