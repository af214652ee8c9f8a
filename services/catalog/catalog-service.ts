import type { CatalogItem } from '../../shared/codecs/catalog-item-codec';
import { ForbiddenError, NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/tenant-context';
import type { CatalogPage, CatalogRepository } from './catalog-repository';
import type { CatalogItemInput, ListCatalogQuery } from './catalog-schemas';

/** Only tenant admins edit the catalog; checked before the body is even parsed, so members learn nothing more. */
export function assertCatalogEditor(principal: Principal): void {
  if (!principal.groups.includes('admin')) {
    throw new ForbiddenError('only tenant admins may change the catalog');
  }
}

/** The catalog domain bound to its repository. */
export function createCatalogService(repository: CatalogRepository) {
  /** One page of the caller's own catalog. */
  function listCatalog(principal: Principal, query: ListCatalogQuery): Promise<CatalogPage> {
    return repository.listCatalogItems(principal.tenantId, query.limit, query.nextToken);
  }

  /** One item of the caller's catalog; another tenant's SKU is indistinguishable from a missing one. */
  async function getCatalogItem(principal: Principal, sku: string): Promise<CatalogItem> {
    const item = await repository.getCatalogItem(principal.tenantId, sku);
    if (!item) throw new NotFoundError(`catalog item '${sku}' not found`);
    return item;
  }

  /** Creates or replaces an item in the caller's catalog, stamped with who changed it and when. */
  async function upsertCatalogItem(
    principal: Principal,
    sku: string,
    input: CatalogItemInput,
    now: Date = new Date(),
  ): Promise<{ item: CatalogItem; created: boolean }> {
    // The domain enforces the rule too, whatever the adapter in front of it checked.
    assertCatalogEditor(principal);
    const item: CatalogItem = { sku, ...input, updatedAt: now.toISOString(), updatedBy: principal.userId };
    const { created } = await repository.putCatalogItem(principal.tenantId, item);
    return { item, created };
  }

  return { listCatalog, getCatalogItem, upsertCatalogItem };
}

/** The catalog domain bound to its repository. */
export type CatalogService = ReturnType<typeof createCatalogService>;
