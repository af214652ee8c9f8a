import * as z from 'zod';
import { skuSchema } from '../../shared/sku';
import { ORDER_STATUSES } from './order-status';

/** The client's `Idempotency-Key` header. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Order ids are `ids.sortableId()`: 26 Crockford base32 characters. */
export const ORDER_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Limits of the API contract, shared by the schemas and the tests. */
export const MAX_ITEMS_PER_ORDER = 50;
export const MAX_QUANTITY = 1000;
export const MAX_NOTE_LENGTH = 500;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const note = z.string().max(MAX_NOTE_LENGTH);

const orderItem = z.strictObject({
  sku: skuSchema,
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
});

/** Body of `POST /orders`. Only SKUs and quantities: prices and totals come from the catalog. */
export const createOrderSchema = z.strictObject({
  items: z
    .array(orderItem)
    .min(1)
    .max(MAX_ITEMS_PER_ORDER)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.sku)) {
          ctx.addIssue({ code: 'custom', path: [index, 'sku'], message: `duplicate sku '${item.sku}'` });
        }
        seen.add(item.sku);
      });
    }),
  note: note.optional(),
});
export type CreateOrderInput = z.infer<typeof createOrderSchema>;

/** A positive integer written in decimal, as query strings carry it. */
function decimalInt(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** Query string of `GET /orders`. */
export const listOrdersQuerySchema = z.strictObject({
  limit: decimalInt(1, MAX_PAGE_SIZE).optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  nextToken: z.string().min(1).max(2048).optional(),
});
export type ListOrdersQuery = z.infer<typeof listOrdersQuerySchema>;

/** Body of `PATCH /orders/{orderId}`: the version the client last saw, and what to change. */
export const updateOrderSchema = z
  .strictObject({
    version: z.number().int().min(1),
    status: z.enum(ORDER_STATUSES).optional(),
    note: note.nullable().optional(),
  })
  .refine((body) => body.status !== undefined || body.note !== undefined, {
    message: 'at least one of status or note is required',
  });
export type UpdateOrderInput = z.infer<typeof updateOrderSchema>;

/** Query string of `DELETE /orders/{orderId}`: an optional version to guard against cancelling a changed order. */
export const cancelOrderQuerySchema = z.strictObject({
  version: decimalInt(1, 999_999_999).optional(),
});
export type CancelOrderQuery = z.infer<typeof cancelOrderQuerySchema>;

/** The optional `Idempotency-Key` header of `POST /orders`. */
export const idempotencyKeySchema = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"')
  .optional();
