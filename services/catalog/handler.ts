import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError } from '../../shared/errors';
import { httpRouter, type ProxyHandler, parseJsonBody, parseQuery, pathParameter } from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { logger } from '../../shared/logger';
import { skuSchema } from '../../shared/sku';
import { type Principal, principalFromCognitoClaims } from '../../shared/tenant-context';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { readTenantStatus } from '../../shared/tenant-status';
import { parseWith } from '../../shared/validation';
import { createCatalogRepository } from './catalog-repository';
import { catalogItemInputSchema, listCatalogQuerySchema } from './catalog-schemas';
import { assertCatalogEditor, createCatalogService } from './catalog-service';
import { type CatalogConfig, readCatalogConfig } from './config';
import { createStageCache, type StageCache } from './stage-cache';

/**
 * The catalog Lambda behind the REST API's Cognito user-pool authorizer, wired to `config`. An admin's edit
 * flushes the stage cache (when the stage has one), so every reader's next GET sees it.
 */
export function createCatalogHandler(
  config: CatalogConfig,
  stageCache: StageCache = createStageCache(
    config.STAGE_CACHE === 'on' ? { restApiId: config.REST_API_ID, stageName: config.STAGE_NAME } : undefined,
  ),
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
): ProxyHandler {
  // The catalog is reached with the caller's tenant session; the tenant's status with the own role.
  const catalog = createCatalogService(createCatalogRepository(config.TABLE_NAME, tenantData.tableClients()));
  /**
   * The caller, if its tenant is ACTIVE. The Cognito authorizer only verifies the token, which stays valid for an
   * hour after a suspension; this read is what refuses a suspended tenant's users here from the next request on.
   */
  const activePrincipal = async (event: APIGatewayProxyEvent): Promise<Principal> => {
    const principal = principalFromCognitoClaims(event);
    if ((await readTenantStatus(config.TABLE_NAME, principal.tenantId)) !== 'ACTIVE') {
      throw new ForbiddenError('the tenant is not active');
    }
    return principal;
  };
  return httpRouter(
    {
      'GET /catalog': async (event) => {
        const principal = await activePrincipal(event);
        return {
          statusCode: 200,
          body: await catalog.listCatalog(principal, parseQuery(event, listCatalogQuerySchema)),
        };
      },
      'GET /catalog/{sku}': async (event) => {
        const principal = await activePrincipal(event);
        const sku = parseWith(skuSchema, pathParameter(event, 'sku'), 'path parameter sku');
        return { statusCode: 200, body: await catalog.getCatalogItem(principal, sku) };
      },
      'PUT /catalog/{sku}': async (event) => {
        const principal = await activePrincipal(event);
        assertCatalogEditor(principal);
        const sku = parseWith(skuSchema, pathParameter(event, 'sku'), 'path parameter sku');
        const { item, created } = await catalog.upsertCatalogItem(
          principal,
          sku,
          parseJsonBody(event, catalogItemInputSchema),
        );
        // The edit is stored: a failed flush leaves readers on cached entries until the TTL, not a failed edit.
        await stageCache.flush().catch((error: unknown) => {
          logger.warn('the stage cache was not flushed: readers see the edit when their entries expire', {
            error,
          });
        });
        return { statusCode: created ? 201 : 200, body: item };
      },
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createCatalogHandler(readCatalogConfig())));
