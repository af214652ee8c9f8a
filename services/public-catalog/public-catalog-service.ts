import { NotFoundError } from '../../shared/errors';
import { TENANT_SLUG_PATTERN } from '../../shared/tenant-slug';
import type { PublicCatalogPage, PublicCatalogRepository } from './public-catalog-repository';
import type { PublicCatalogQuery } from './public-catalog-schemas';

/** The one answer for a slug no tenant holds, however it is wrong: it names nothing the caller sent. */
const noCatalog = () => new NotFoundError('no public catalog at this address');

/** The public storefront: a tenant's public items, found by its slug. */
export function createPublicCatalogService(repository: PublicCatalogRepository) {
  /**
   * One page of the public catalog of the tenant holding `slug`. A malformed slug cannot be held by anyone,
   * so it is the same 404 as an unknown one, answered without reading the table.
   */
  async function publicCatalog(
    slug: string | undefined,
    query: PublicCatalogQuery,
  ): Promise<PublicCatalogPage> {
    if (slug === undefined || slug.length > 64 || !TENANT_SLUG_PATTERN.test(slug)) throw noCatalog();
    const tenantId = await repository.activeTenantOfSlug(slug);
    if (tenantId === undefined) throw noCatalog();
    return repository.listPublicItems(tenantId, query.limit, query.nextToken);
  }

  return { publicCatalog };
}

/** The public storefront bound to its repository. */
export type PublicCatalogService = ReturnType<typeof createPublicCatalogService>;
