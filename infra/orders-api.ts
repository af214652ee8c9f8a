import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ordersEnvironment } from '../services/orders/environment';
import { createOrderSchema, updateOrderSchema } from '../services/orders/order-schemas';
import { trackingKeys } from '../shared/keys/tracking-keys';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantDataRole } from './tenant-data-role';
import type { TenantRestApi } from './tenant-rest-api';

export interface OrdersApiProps {
  /** The API the routes are added to. */
  readonly api: TenantRestApi;
  /** Guards every route: the tenant comes from the verified token, and its API key meters the call. */
  readonly authorizer: TenantAuthorizer;
  /** The single table: orders, and the tenant's catalog for pricing. */
  readonly table: dynamodb.ITable;
  /** The role its tenant data is reached with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  /** Where Powertools keeps `Idempotency-Key` records. */
  readonly idempotencyTable: dynamodb.ITable;
  /** Origins allowed by CORS on the function's responses. */
  readonly allowedOrigins: readonly string[];
}

/**
 * Tenant-scoped orders: `/orders` (list, create) `/orders/{orderId}` (get, update, cancel) and `/orders/{orderId}/invoice` (a PDF) behind the
 * Lambda authorizer, served by one function whose tenant session may only Get/Query/Put/Update its own tenant's
 * partitions (no Scan, no Delete: cancelling is an update) and whose own role only puts tracking pointers.
 */
export class OrdersApi extends Construct {
  readonly handler: ServiceFunction<typeof ordersEnvironment>;

  constructor(scope: Construct, id: string, props: OrdersApiProps) {
    super(scope, id);
    const { api, authorizer } = props;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'orders',
      environment: ordersEnvironment,
      description: 'Tenant-scoped orders: create (idempotent), list, get, update, cancel',
    })
      // Tenant data (orders, the catalog for pricing) is reached through the tenant data role, one session per
      // tenant; the function's own role only writes the tracking pointers, which are global, not a tenant's.
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:PutItem'], {
        leadingKeys: [trackingKeys.leadingKeyPattern],
      })
      .bindTable(props.idempotencyTable, 'IDEMPOTENCY_TABLE_NAME', [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ])
      .bindAllowedOrigins(props.allowedOrigins, 'ALLOWED_ORIGINS');

    const integration = new apigw.LambdaIntegration(this.handler.live, { proxy: true });
    const guarded = authorizer.methodOptions;

    const orders = api.root.addResource('orders');
    const list = orders.addMethod('GET', integration, guarded);
    const create = orders.addMethod('POST', integration, {
      ...guarded,
      ...api.requestBody('CreateOrder', createOrderSchema),
    });
    const order = orders.addResource('{orderId}');
    const get = order.addMethod('GET', integration, guarded);
    const update = order.addMethod('PATCH', integration, {
      ...guarded,
      ...api.requestBody('PatchOrder', updateOrderSchema),
    });
    const cancel = order.addMethod('DELETE', integration, guarded);
    // A PDF: the function answers base64 with isBase64Encoded, and the gateway (application/pdf is one of the
    // API's binary media types) sends the bytes to a client whose Accept names application/pdf.
    const invoice = order.addResource('invoice').addMethod('GET', integration, guarded);

    // No method throttle: one shared by every tenant lets a tenant's burst throttle the others far below their
    // plans. Each tenant is limited by its usage plan; the stage ceiling protects the backend.
    for (const method of [list, create, get, update, cancel, invoice]) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and adds tenant policy and API key',
      });
    }
  }
}
