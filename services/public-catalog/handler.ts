import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  type HttpApiHandler,
  httpApiPathParameter,
  httpApiRouter,
  parseHttpApiQuery,
} from '../../shared/http-api';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { type PublicCatalogConfig, readPublicCatalogConfig } from './config';
import { createPublicCatalogRepository } from './public-catalog-repository';
import { publicCatalogQuerySchema } from './public-catalog-schemas';
import { createPublicCatalogService } from './public-catalog-service';

/** Browsers and CDNs may keep a page for a minute, and serve it stale for five more while refreshing. */
export const PUBLIC_CATALOG_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

/** The public storefront Lambda behind the HTTP API (no authorizer), wired to `config`. */
export function createPublicCatalogHandler(
  config: PublicCatalogConfig,
): HttpApiHandler<APIGatewayProxyEventV2> {
  const catalog = createPublicCatalogService(createPublicCatalogRepository(config.TABLE_NAME));
  return httpApiRouter<APIGatewayProxyEventV2>({
    'GET /public/{tenantSlug}/catalog': async (event) => ({
      statusCode: 200,
      headers: { 'Cache-Control': PUBLIC_CATALOG_CACHE_CONTROL },
      body: await catalog.publicCatalog(
        httpApiPathParameter(event, 'tenantSlug'),
        parseHttpApiQuery(event, publicCatalogQuerySchema),
      ),
    }),
  });
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() =>
  instrumented(createPublicCatalogHandler(readPublicCatalogConfig())),
);
