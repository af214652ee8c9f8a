import { NotAcceptableError } from '../../shared/errors';
import {
  accepts,
  httpRouter,
  memberLocation,
  type ProxyHandler,
  parseJsonBody,
  parseQuery,
  pathParameter,
  requestHeader,
} from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { principalFromLambdaAuthorizer } from '../../shared/tenant-context';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { parseWith } from '../../shared/validation';
import { type OrdersConfig, readOrdersConfig } from './config';
import { INVOICE_MEDIA_TYPE } from './invoice-media-type';
import {
  cancelOrderQuerySchema,
  createOrderSchema,
  idempotencyKeySchema,
  listOrdersQuerySchema,
  updateOrderSchema,
} from './order-schemas';
import { createOrdersRepository } from './orders-repository';
import { createOrdersService } from './orders-service';

/**
 * The PDF renderer (pdf-lib, most of this bundle) is loaded on the first invoice, not at init: the orders
 * function's cold start pays for it only when a request needs it (esbuild defers the module's evaluation).
 */
const invoiceRenderer = async () => (await import('./invoice-pdf.js')).renderInvoice;

/**
 * The orders API (`/orders`, `/orders/{orderId}`, its `/invoice` PDF) behind the REST API's Lambda authorizer, wired to
 * `config`; tenant items are reached through `tenantData` (a session of the caller's tenant).
 */
export function createOrdersHandler(
  config: OrdersConfig,
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
): ProxyHandler {
  const orders = createOrdersService({
    // Every tenant partition is reached with the caller's tenant session; tracking pointers with the own role.
    repository: createOrdersRepository(config.TABLE_NAME, tenantData.tableClients()),
    idempotencyTableName: config.IDEMPOTENCY_TABLE_NAME,
  });
  return httpRouter(
    {
      'POST /orders': async (event, context) => {
        const principal = principalFromLambdaAuthorizer(event);
        const input = parseJsonBody(event, createOrderSchema);
        const idempotencyKey = parseWith(
          idempotencyKeySchema,
          requestHeader(event, 'Idempotency-Key'),
          'Idempotency-Key header',
        );
        const order = await orders.createOrder(principal, input, { idempotencyKey, lambdaContext: context });
        return { statusCode: 201, body: order, headers: { Location: memberLocation(event, order.orderId) } };
      },
      'GET /orders': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        return {
          statusCode: 200,
          body: await orders.listOrders(principal, parseQuery(event, listOrdersQuerySchema)),
        };
      },
      'GET /orders/{orderId}': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        return { statusCode: 200, body: await orders.getOrder(principal, pathParameter(event, 'orderId')) };
      },
      'GET /orders/{orderId}/invoice': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        // The gateway only turns the base64 answer back into bytes for a client that accepts the binary type.
        if (!accepts(event, INVOICE_MEDIA_TYPE)) {
          throw new NotAcceptableError(
            `an invoice is ${INVOICE_MEDIA_TYPE}: send Accept: ${INVOICE_MEDIA_TYPE}`,
          );
        }
        const order = await orders.getOrder(principal, pathParameter(event, 'orderId'));
        return {
          statusCode: 200,
          binary: { contentType: INVOICE_MEDIA_TYPE, bytes: await (await invoiceRenderer())(order) },
          headers: {
            'Content-Disposition': `inline; filename="invoice-${order.orderId}.pdf"`,
            'Cache-Control': 'private, no-store',
          },
        };
      },
      'PATCH /orders/{orderId}': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        const orderId = pathParameter(event, 'orderId');
        const input = parseJsonBody(event, updateOrderSchema);
        return { statusCode: 200, body: await orders.updateOrder(principal, orderId, input) };
      },
      'DELETE /orders/{orderId}': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        const orderId = pathParameter(event, 'orderId');
        const { version } = parseQuery(event, cancelOrderQuerySchema);
        return { statusCode: 200, body: await orders.cancelOrder(principal, orderId, version) };
      },
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createOrdersHandler(readOrdersConfig())));
