import { ValidationError } from '../../shared/errors';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { parseWith } from '../../shared/validation';
import { type LiveConnectionsConfig, readLiveConnectionsConfig } from './config';
import { connectionRequest, messageText, type WebSocketEvent } from './connection-events';
import { createConnectionsRepository } from './connections-repository';
import { createConnectionsService } from './connections-service';
import { ACTIONS, subscribeMessageSchema } from './message-schemas';
import { webSocketRouter } from './websocket-router';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(`messages must be JSON, e.g. {"action":"subscribe","orderId":"…"}`);
  }
}

/** What `$default` says to a message no route took: which action was unknown, and which exist. */
function unknownAction(event: WebSocketEvent): never {
  const message = parseJson(messageText(event));
  const action = (message as { action?: unknown } | null)?.action;
  const known = ACTIONS.map((a) => `'${a}'`).join(', ');
  throw new ValidationError(
    action === undefined
      ? `the message has no "action": send one of ${known}, e.g. {"action":"subscribe","orderId":"…"}`
      : `unknown action ${JSON.stringify(action)}: send one of ${known}`,
  );
}

/**
 * The WebSocket API's routes (`$connect`, `$disconnect`, `subscribe`, `$default`), wired to `config`. The caller's
 * tenant (from the `$connect` authorizer's context) is reached with a session of that tenant.
 */
export function createLiveConnectionsHandler(
  config: LiveConnectionsConfig,
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
) {
  const connections = createConnectionsService(
    createConnectionsRepository(config.TABLE_NAME, tenantData.tableClients()),
  );
  return webSocketRouter({
    $connect: async (event) => {
      await connections.connect(connectionRequest(event));
      return undefined;
    },
    $disconnect: async (event) => {
      await connections.disconnect(connectionRequest(event));
      return undefined;
    },
    subscribe: async (event) => {
      const request = connectionRequest(event);
      const message = parseWith(subscribeMessageSchema, parseJson(messageText(event)), 'message');
      return connections.subscribe(request, message);
    },
    $default: async (event) => {
      connectionRequest(event);
      return unknownAction(event);
    },
  });
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() =>
  instrumented(createLiveConnectionsHandler(readLiveConnectionsConfig())),
);
