import * as z from 'zod';
import { catalogKeys } from '../keys/catalog-keys';
import { skuSchema } from '../sku';
import { decodeItem, encodeAttributes } from './stored-item';

/** An ISO 4217 currency code such as EUR. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR');

/**
 * A catalog item as stored and returned, written by the catalog service and read by it and by the orders
 * service, which prices order lines from it. Prices are integers in the currency's minor unit (cents).
 */
export const catalogItemSchema = z.object({
  sku: skuSchema,
  name: z.string().min(1).max(200),
  price: z.int().min(0),
  currency: currencySchema,
  public: z.boolean(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string().min(1),
});
export type CatalogItem = Readonly<z.infer<typeof catalogItemSchema>>;

/** Catalog item ⇄ table item, under the tenant's catalog partition. */
export const catalogItemCodec = {
  toItem(tenantId: string, item: CatalogItem): Record<string, unknown> {
    return {
      ...catalogKeys.item(tenantId, item.sku),
      ...encodeAttributes('catalog item', catalogItemSchema, item),
    };
  },
  /**
   * The API shape of a stored item; allow-listed, so keys and any future internal attributes never leak.
   * @throws CorruptItemError naming the item's key when the stored item does not decode.
   */
  fromItem(item: Record<string, unknown>): CatalogItem {
    return decodeItem('catalog item', catalogItemSchema, item);
  },
};

/**
 * What the public storefront shows of an item: an allow-list, so who changed it, when, and the `public` flag
 * itself never leave the table. The same list is the projection the public catalog reads and its IAM
 * attribute allow-list.
 */
export const publicCatalogItemSchema = catalogItemSchema.pick({
  sku: true,
  name: true,
  price: true,
  currency: true,
});
export type PublicCatalogItem = Readonly<z.infer<typeof publicCatalogItemSchema>>;
export const PUBLIC_CATALOG_ATTRIBUTES = ['sku', 'name', 'price', 'currency'] as const;

/** Decodes an item read with `PUBLIC_CATALOG_ATTRIBUTES` (plus its key) into its public view. */
export function publicCatalogItemFromItem(item: Record<string, unknown>): PublicCatalogItem {
  return decodeItem('catalog item', publicCatalogItemSchema, item);
}
