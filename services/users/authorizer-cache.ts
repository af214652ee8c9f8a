import { type APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';

/** The REST stage whose Lambda authorizer caches its decisions per token. */
export interface AuthorizedStage {
  readonly restApiId: string;
  readonly stageName: string;
}

/**
 * The REST authorizer's decision cache, as user administration sees it. A decision is cached per token for the
 * authorizer's TTL (300 s), so a disabled, deleted or demoted user's token would keep its old policy that long;
 * flushing the stage's authorizer cache makes the next request of every token run the authorizer again, which
 * reads the user's directory item. The flush is stage-wide (API Gateway has no per-token flush): every caller
 * pays one authorizer run, which is why only changes that take something away flush.
 */
export function createAuthorizerCache(stage: AuthorizedStage, apiGateway: APIGatewayClient) {
  return {
    async flush(): Promise<void> {
      await apiGateway.send(
        new FlushStageAuthorizersCacheCommand({ restApiId: stage.restApiId, stageName: stage.stageName }),
      );
    },
  };
}

/** The authorizer-cache port of user administration. */
export type AuthorizerCache = ReturnType<typeof createAuthorizerCache>;
