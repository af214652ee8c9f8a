import { httpRouter, type ProxyHandler, parseJsonBody, parseQuery, pathParameter } from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { skuSchema } from '../../shared/sku';
import { principalFromCognitoClaims } from '../../shared/tenant-context';
import { parseWith } from '../../shared/validation';
import { createCatalogRepository } from './catalog-repository';
import { catalogItemInputSchema, listCatalogQuerySchema } from './catalog-schemas';
import { assertCatalogEditor, createCatalogService } from './catalog-service';
import { type CatalogConfig, readCatalogConfig } from './config';

/** The catalog Lambda behind the REST API's Cognito user-pool authorizer, wired to `config`. */
export function createCatalogHandler(config: CatalogConfig): ProxyHandler {
  const catalog = createCatalogService(createCatalogRepository(config.TABLE_NAME));
  return httpRouter(
    {
      'GET /catalog': async (event) => {
        const principal = principalFromCognitoClaims(event);
        return {
          statusCode: 200,
          body: await catalog.listCatalog(principal, parseQuery(event, listCatalogQuerySchema)),
        };
      },
      'GET /catalog/{sku}': async (event) => {
        const principal = principalFromCognitoClaims(event);
        const sku = parseWith(skuSchema, pathParameter(event, 'sku'), 'path parameter sku');
        return { statusCode: 200, body: await catalog.getCatalogItem(principal, sku) };
      },
      'PUT /catalog/{sku}': async (event) => {
        const principal = principalFromCognitoClaims(event);
        assertCatalogEditor(principal);
        const sku = parseWith(skuSchema, pathParameter(event, 'sku'), 'path parameter sku');
        const { item, created } = await catalog.upsertCatalogItem(
          principal,
          sku,
          parseJsonBody(event, catalogItemInputSchema),
        );
        return { statusCode: created ? 201 : 200, body: item };
      },
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createCatalogHandler(readCatalogConfig())));
