import * as z from 'zod';

/**
 * A SKU: 1-64 letters, digits, `.`, `_` or `-`, starting with a letter or digit, so it is safe in keys
 * (no `#` to smuggle a key separator) and in URLs.
 */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A SKU, wherever one is read: the catalog path, order lines, stored catalog items. */
export const skuSchema = z
  .string()
  .regex(SKU_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export type Sku = z.infer<typeof skuSchema>;
