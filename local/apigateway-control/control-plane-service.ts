import type { ApiKeyStore } from '../api-keys/api-key-store';
import type { UsageMeter } from '../gateway/usage-meter';
import type { IamAuthority } from '../iam/call-authority';
import type { LocalService } from '../local-service';
import type { AuthorizerCaches } from '../rest-api/authorizer-caches';
import type { StageCaches } from '../rest-api/stage-cache';
import { createApiGatewayControlServer } from './control-server';

/**
 * The API Gateway control plane subset functions call (API keys and their updates, usage plans and their keys,
 * GetUsage, UpdateUsage, FlushStageCache, FlushStageAuthorizersCache and the stage's cache-control settings), reached through
 * `AWS_ENDPOINT_URL_API_GATEWAY`. It loads the template's keys and plans into `apiKeys`, the store it shares
 * with the REST APIs, so a key created at run time meters at once. Under `--persist` the keys and their
 * plan bindings survive restarts.
 */
export function apiGatewayControlService(options: {
  readonly apiKeys: ApiKeyStore;
  /** The REST APIs' stage caches, which FlushStageCache empties. */
  readonly stageCaches?: StageCaches;
  /** IAM: each call is evaluated as `apigateway:<METHOD>` on its path. @default every call is served */
  readonly iam?: IamAuthority;
  /** The REST APIs' Lambda authorizer caches, which FlushStageAuthorizersCache empties. */
  readonly authorizerCaches?: AuthorizerCaches;
  /** The REST APIs' meter, whose daily records GetUsage answers from. */
  readonly meter?: UsageMeter;
}): LocalService {
  return {
    name: 'apigateway-control',
    resourceTypes: {
      emulated: ['AWS::ApiGateway::ApiKey', 'AWS::ApiGateway::UsagePlan', 'AWS::ApiGateway::UsagePlanKey'],
    },
    async bind(context) {
      if (context.dataDir) options.apiKeys.persistIn(context.dataDir);
      const server = createApiGatewayControlServer({
        apiKeys: options.apiKeys,
        stageCaches: options.stageCaches,
        ...(options.iam ? { iam: options.iam } : {}),
        authorizerCaches: options.authorizerCaches,
        meter: options.meter,
        log: context.log,
      });
      const endpoint = await server.listen(context.servicePort(0));
      return {
        functionEnv: { AWS_ENDPOINT_URL_API_GATEWAY: endpoint },
        async start({ model }) {
          options.apiKeys.load(model);
          return {
            endpoints: [{ kind: 'API Gateway control plane', name: 'apigateway-control', url: endpoint }],
            // Keys are updated by id (a generated value is kept); keys created at run time stay.
            reload: async (next) => {
              options.apiKeys.load(next.model);
              return { changed: ['API keys and usage plans re-read'] };
            },
          };
        },
        close: () => server.close(),
      };
    },
  };
}
