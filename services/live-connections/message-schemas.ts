import * as z from 'zod';
import { ORDER_ID_PATTERN } from '../orders/order-schemas';

/** The route selection expression of the WebSocket API: messages are routed by their `action`. */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/** The actions clients may send, besides what `$default` refuses. */
export const ACTIONS = ['subscribe'] as const;

/**
 * `{"action":"subscribe","orderId"?}`: with an order id, the connection hears only about that order (of its own
 * tenant); without one, about every order and job of its tenant again.
 */
export const subscribeMessageSchema = z.strictObject({
  action: z.literal('subscribe'),
  orderId: z.string().regex(ORDER_ID_PATTERN, 'must be an order id').optional(),
});

export type SubscribeMessage = z.infer<typeof subscribeMessageSchema>;
