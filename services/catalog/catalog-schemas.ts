import * as z from 'zod';
import { currencySchema } from '../../shared/codecs/catalog-item-codec';

/** The body of `PUT /catalog/{sku}`; unknown properties are rejected so nothing else reaches the table. */
export const catalogItemInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** Minor units (cents), so no float rounding ever reaches an order total. */
  price: z.number().int().min(0).max(100_000_000),
  currency: currencySchema,
  public: z.boolean(),
});

export type CatalogItemInput = z.infer<typeof catalogItemInputSchema>;

/** Query strings arrive as strings; a strict digit pattern avoids coercing `1e2`, ` 5` or `0x10`. */
const limitSchema = z
  .string()
  .regex(/^\d{1,3}$/, 'limit must be an integer from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

/** The query string of `GET /catalog`. */
export const listCatalogQuerySchema = z.strictObject({
  limit: limitSchema.optional().transform((limit) => limit ?? 50),
  nextToken: z.string().min(1).max(2048).optional(),
});

export type ListCatalogQuery = z.infer<typeof listCatalogQuerySchema>;
