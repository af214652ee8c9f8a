import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { TRACKING_ID_PATTERN } from '../../shared/codecs/tracking-pointer-codec';
import { NotFoundError } from '../../shared/errors';
import {
  type HttpApiHandler,
  httpApiPathParameter,
  httpApiRouter,
  parseHttpApiQuery,
} from '../../shared/http-api';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { type PublicTrackingConfig, readPublicTrackingConfig } from './config';
import { createTrackingRepository } from './tracking-repository';

/** A status changes as the parcel moves: shared caches must not keep it, the browser may for a few seconds. */
export const TRACKING_CACHE_CONTROL = 'private, max-age=15';

/** The tracking route takes no query string; a parameter is a mistake the caller should hear about. */
const noQuery = z.strictObject({});

/**
 * The public tracking Lambda behind the HTTP API (no authorizer), wired to `config`. An unknown id and a
 * malformed one get the very same 404, so the answer tells nothing about which ids exist.
 */
export function createPublicTrackingHandler(
  config: PublicTrackingConfig,
): HttpApiHandler<APIGatewayProxyEventV2> {
  const repository = createTrackingRepository(config.TABLE_NAME);
  return httpApiRouter<APIGatewayProxyEventV2>({
    'GET /public/track/{trackingId}': async (event) => {
      parseHttpApiQuery(event, noQuery);
      const trackingId = httpApiPathParameter(event, 'trackingId');
      const view =
        trackingId !== undefined && TRACKING_ID_PATTERN.test(trackingId)
          ? await repository.trackingView(trackingId)
          : undefined;
      if (!view) throw new NotFoundError('no order with this tracking id');
      return { statusCode: 200, headers: { 'Cache-Control': TRACKING_CACHE_CONTROL }, body: view };
    },
  });
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() =>
  instrumented(createPublicTrackingHandler(readPublicTrackingConfig())),
);
