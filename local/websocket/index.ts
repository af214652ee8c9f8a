/** The local WebSocket API service: any CDK app's `AWS::ApiGatewayV2::Api` with ProtocolType WEBSOCKET. */

export {
  isWebSocketApi,
  WEBSOCKET_API_RESOURCE_TYPES,
  type WebSocketApiDefinition,
  webSocketApiIds,
} from './websocket-api-definition';
export {
  createWebSocketApiServer,
  DEFAULT_WEBSOCKET_LIMITS,
  executeApiOrigin,
  type WebSocketApiServer,
  type WebSocketApiServerOptions,
  type WebSocketLimits,
} from './websocket-api-server';
