import { APIGatewayClient, FlushStageCacheCommand } from '@aws-sdk/client-api-gateway';
import { tracer } from '../../shared/tracer';

/** The REST stage whose cache holds catalog reads. */
export interface CachedStage {
  readonly restApiId: string;
  readonly stageName: string;
}

/**
 * The REST stage cache as the catalog sees it. Catalog reads are cached per caller (the key includes the
 * caller's token), so a `Cache-Control: max-age=0` refetch by the admin would refresh only the admin's own
 * entry: an edit reaches every reader only by flushing the stage, which this does with the function's own
 * role (apigateway:DELETE on the stage's cache data). Without a stage cache there is nothing to flush.
 */
export function createStageCache(
  stage: CachedStage | undefined,
  apiGateway: APIGatewayClient = tracer.captureAWSv3Client(new APIGatewayClient({})),
) {
  /** Empties the stage cache, so the next read of every caller reaches the function. */
  async function flush(): Promise<void> {
    if (stage === undefined) return;
    await apiGateway.send(
      new FlushStageCacheCommand({ restApiId: stage.restApiId, stageName: stage.stageName }),
    );
  }

  return { flush };
}

/** The stage cache port of the catalog. */
export type StageCache = ReturnType<typeof createStageCache>;
