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
