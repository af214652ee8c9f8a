import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { type FirstRun, idempotentRequest } from '../../shared/idempotent-request';
import { deterministicSortableId, sortableId } from '../../shared/ids';
import type { Principal } from '../../shared/tenant-context';
import type { CreateOrderInput, ListOrdersQuery, UpdateOrderInput } from './order-schemas';
import { DEFAULT_PAGE_SIZE, ORDER_ID_PATTERN } from './order-schemas';
import { assertTransition, CANCELLABLE_STATUSES, isCancellable, sourcesOf } from './order-status';
import type { Order, OrderPage, OrdersRepository } from './orders-repository';
import { priceOrder } from './pricing';

export interface OrdersServiceOptions {
  readonly repository: OrdersRepository;
  /** Table of Powertools idempotency records (partition key `id`). */
  readonly idempotencyTableName: string;
  /** @default the shared DynamoDB client */
  readonly dynamoClient?: DynamoDBClient;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** What one `POST /orders` asks for; the idempotency key and payload hash are taken from it. */
interface PlaceOrderRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly idempotencyKey: string | null;
  readonly order: CreateOrderInput;
}

/** Options of `createOrder`. */
export interface CreateOrderOptions {
  /** The client's Idempotency-Key header, already validated. */
  readonly idempotencyKey?: string;
  /** The invocation's context, so an in-progress key expires when the invocation would have timed out. */
  readonly lambdaContext: Context;
}

/** The orders domain: pricing, lifecycle rules, optimistic locking and idempotent creation. */
export function createOrdersService(options: OrdersServiceOptions) {
  const { repository } = options;
  const clock = options.clock ?? Date.now;

  async function placeOrder(request: PlaceOrderRequest, run: FirstRun): Promise<Order> {
    const skus = request.order.items.map((item) => item.sku);
    const catalog = await repository.getCatalogPrices(request.tenantId, skus);
    const priced = priceOrder(request.order.items, catalog);
    // A retry of a crashed first run derives the same id, time and tracking id, so it finds what that run wrote.
    const now = run.at;
    const timestamp = new Date(now).toISOString();
    const order: Order = {
      orderId: run.idSeed === null ? sortableId(now) : deterministicSortableId(now, `orders#${run.idSeed}`),
      status: 'pending',
      items: priced.items,
      currency: priced.currency,
      total: priced.total,
      ...(request.order.note !== undefined ? { note: request.order.note } : {}),
      version: 1,
      trackingId: run.nonce,
      createdAt: timestamp,
      updatedAt: timestamp,
      createdBy: request.userId,
    };
    if ((await repository.putNewOrder(request.tenantId, order)) === 'created') return order;
    // The first run wrote it (and the order may have moved on since): answer what is stored.
    return requireOrder(request.tenantId, order.orderId);
  }

  const placeOrderOnce = idempotentRequest(placeOrder, {
    keyPrefix: 'orders.create',
    payloadField: 'order',
    what: 'order',
    tableName: options.idempotencyTableName,
    clock,
    ...(options.dynamoClient ? { dynamoClient: options.dynamoClient } : {}),
  });

  /** 404 for ids that cannot exist, so malformed ids look exactly like another tenant's. */
  function assertOrderId(orderId: string): void {
    if (!ORDER_ID_PATTERN.test(orderId)) throw new NotFoundError(`order '${orderId}' not found`);
  }

  async function requireOrder(tenantId: string, orderId: string): Promise<Order> {
    const order = await repository.getOrder(tenantId, orderId);
    if (!order) throw new NotFoundError(`order '${orderId}' not found`);
    return order;
  }

  function versionConflict(current: Order, expected: number): ConflictError {
    return new ConflictError(
      `order '${current.orderId}' is at version ${current.version}, not ${expected}; re-read it and retry`,
      { currentVersion: current.version },
    );
  }

  return {
    /**
     * Prices and stores a new order for the caller. With an idempotency key, a retry with the same body
     * returns the first response; the same key with another body is a 422, and one still running a 409.
     */
    async createOrder(
      principal: Principal,
      input: CreateOrderInput,
      opts: CreateOrderOptions,
    ): Promise<Order> {
      const request: PlaceOrderRequest = {
        tenantId: principal.tenantId,
        userId: principal.userId,
        idempotencyKey: opts.idempotencyKey ?? null,
        order: input,
      };
      return placeOrderOnce(request, opts.lambdaContext);
    },

    /** One page of the caller's tenant's orders, newest first. */
    async listOrders(principal: Principal, query: ListOrdersQuery): Promise<OrderPage> {
      return repository.listOrders(principal.tenantId, {
        limit: query.limit ?? DEFAULT_PAGE_SIZE,
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.nextToken !== undefined ? { nextToken: query.nextToken } : {}),
      });
    },

    /** The order, if it belongs to the caller's tenant; otherwise a 404 like any missing order. */
    async getOrder(principal: Principal, orderId: string): Promise<Order> {
      assertOrderId(orderId);
      return requireOrder(principal.tenantId, orderId);
    },

    /**
     * Changes status and/or note, if the caller saw the current version and the status move is allowed.
     * The write is conditional on both, so a concurrent change is never overwritten; when it fails the
     * order is re-read to report why.
     */
    async updateOrder(principal: Principal, orderId: string, input: UpdateOrderInput): Promise<Order> {
      assertOrderId(orderId);
      const { tenantId } = principal;
      const target = input.status;
      const updated = await repository.updateOrder(tenantId, orderId, {
        expectedVersion: input.version,
        ...(target !== undefined ? { status: { to: target, fromStatuses: sourcesOf(target) } } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
        now: new Date(clock()).toISOString(),
      });
      if (updated) return updated;
      const current = await requireOrder(tenantId, orderId);
      if (current.version !== input.version) throw versionConflict(current, input.version);
      if (target !== undefined) assertTransition(current.status, target);
      // The condition failed, yet the re-read satisfies it: the order changed in between and back.
      throw versionConflict(current, input.version);
    },

    /**
     * Cancels a pending or confirmed order. Cancelling a cancelled order answers it unchanged, so clients
     * can retry; shipped or delivered orders cannot be cancelled.
     */
    async cancelOrder(principal: Principal, orderId: string, expectedVersion?: number): Promise<Order> {
      assertOrderId(orderId);
      const { tenantId } = principal;
      const updated = await repository.updateOrder(tenantId, orderId, {
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
        status: { to: 'cancelled', fromStatuses: CANCELLABLE_STATUSES },
        now: new Date(clock()).toISOString(),
      });
      if (updated) return updated;
      const current = await requireOrder(tenantId, orderId);
      if (current.status === 'cancelled') return current;
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw versionConflict(current, expectedVersion);
      }
      if (!isCancellable(current.status)) {
        throw new ConflictError(
          `cannot cancel order '${orderId}': it is already ${current.status}; only ${CANCELLABLE_STATUSES.join(' or ')} orders can be cancelled`,
          { currentStatus: current.status },
        );
      }
      throw new ConflictError(`order '${orderId}' changed while cancelling; retry`, {
        currentVersion: current.version,
      });
    },
  };
}

/** The orders domain bound to its repository and idempotency store. */
export type OrdersService = ReturnType<typeof createOrdersService>;
