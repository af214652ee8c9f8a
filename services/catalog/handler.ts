import { httpRouter, parseJsonBody, parseQuery, pathParameter } from '../../shared/http';
import { skuSchema } from '../../shared/sku';
import { principalFromCognitoClaims } from '../../shared/tenant-context';
import { parseWith } from '../../shared/validation';
import { catalogItemInputSchema, listCatalogQuerySchema } from './catalog-schemas';
import { assertCatalogEditor, getCatalogItem, listCatalog, upsertCatalogItem } from './catalog-service';

/** The catalog Lambda behind the REST API's Cognito user-pool authorizer. */
export const handler = httpRouter({
  'GET /catalog': async (event) => {
    const principal = principalFromCognitoClaims(event);
    return { statusCode: 200, body: await listCatalog(principal, parseQuery(event, listCatalogQuerySchema)) };
  },
  'GET /catalog/{sku}': async (event) => {
    const principal = principalFromCognitoClaims(event);
    const sku = parseWith(skuSchema, pathParameter(event, 'sku'), 'path parameter sku');
    return { statusCode: 200, body: await getCatalogItem(principal, sku) };
  },
  'PUT /catalog/{sku}': async (event) => {
    const principal = principalFromCognitoClaims(event);
    assertCatalogEditor(principal);
    const sku = parseWith(skuSchema, pathParameter(event, 'sku'), 'path parameter sku');
    const { item, created } = await upsertCatalogItem(
      principal,
      sku,
      parseJsonBody(event, catalogItemInputSchema),
    );
    return { statusCode: created ? 201 : 200, body: item };
  },
});
