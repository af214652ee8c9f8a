import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readOrdersConfig } from '../../services/orders/config';
import { createOrdersHandler } from '../../services/orders/handler';
import type { Order } from '../../services/orders/orders-repository';
import { documentClient } from '../../shared/dynamo';
import { tenantId } from '../../shared/ids';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { orderKeys } from '../../shared/keys/order-keys';
import { logger } from '../../shared/logger';
import {
  type LambdaAuthorizerContext,
  lambdaAuthorizerEvent,
  type RestRequest,
  restEvent,
} from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type CatalogEntry, invoke, member, OrdersTableProbe } from '../support/orders-fixtures';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly requestId: string;
  readonly currentVersion?: number;
  readonly [detail: string]: unknown;
}

interface OrderList {
  readonly items: Order[];
  readonly nextToken?: string;
}

const EUR_CATALOG: CatalogEntry[] = [
  { sku: 'MUG-1', name: 'Mug', price: 1299, currency: 'EUR' },
  { sku: 'TEE.L', name: 'T-shirt L', price: 1999, currency: 'EUR' },
  { sku: 'CAP_US', name: 'Cap (US)', price: 999, currency: 'USD' },
];

const handler = createOrdersHandler(readOrdersConfig(TEST_ENV), UNSCOPED_TENANT_DATA);

let engine: DynamoEngine;
let probe: OrdersTableProbe;
const tenantA = tenantId();
const tenantB = tenantId();
const alice = member(tenantA, 'alice');
const bob = member(tenantB, 'bob');

beforeAll(async () => {
  engine = await startDynamo();
  probe = new OrdersTableProbe(engine.client);
  await probe.seedCatalog(tenantA, EUR_CATALOG);
  // Same SKU, another price: proves each tenant is priced from its own catalog.
  await probe.seedCatalog(tenantB, [
    { sku: 'MUG-1', name: 'Tasse', price: 500, currency: 'EUR' },
    { sku: 'B-ONLY', name: 'Only at B', price: 100, currency: 'EUR' },
  ]);
});
afterAll(() => engine.stop());

function call<T = Order>(principal: LambdaAuthorizerContext, request: RestRequest) {
  return invoke<T>(handler, lambdaAuthorizerEvent(request, principal));
}

function createOrder(principal: LambdaAuthorizerContext, body: unknown, headers?: Record<string, string>) {
  return call(principal, { method: 'POST', resource: '/orders', body, ...(headers ? { headers } : {}) });
}

function getOrder(principal: LambdaAuthorizerContext, orderId: string) {
  return call(principal, { method: 'GET', resource: '/orders/{orderId}', pathParameters: { orderId } });
}

function patchOrder(principal: LambdaAuthorizerContext, orderId: string, body: unknown) {
  return call(principal, {
    method: 'PATCH',
    resource: '/orders/{orderId}',
    pathParameters: { orderId },
    body,
  });
}

function cancelOrder(principal: LambdaAuthorizerContext, orderId: string, query?: Record<string, string>) {
  return call(principal, {
    method: 'DELETE',
    resource: '/orders/{orderId}',
    pathParameters: { orderId },
    ...(query ? { query } : {}),
  });
}

function listOrders(principal: LambdaAuthorizerContext, query?: Record<string, string>) {
  return call<OrderList>(principal, { method: 'GET', resource: '/orders', ...(query ? { query } : {}) });
}

/** A new tenant with the EUR catalog, for tests that count what was written. */
async function freshTenant(): Promise<LambdaAuthorizerContext> {
  const id = tenantId();
  await probe.seedCatalog(id, EUR_CATALOG);
  return member(id);
}

async function newOrder(principal: LambdaAuthorizerContext, quantity = 1): Promise<Order> {
  const res = await createOrder(principal, { items: [{ sku: 'MUG-1', quantity }] });
  expect(res.statusCode).toBe(201);
  return res.body;
}

async function advance(
  principal: LambdaAuthorizerContext,
  order: Order,
  ...statuses: string[]
): Promise<Order> {
  let current = order;
  for (const status of statuses) {
    const res = await patchOrder(principal, current.orderId, { version: current.version, status });
    expect(res.statusCode).toBe(200);
    current = res.body;
  }
  return current;
}

describe('POST /orders', () => {
  it('prices the order from the caller’s catalog, stores it and answers 201 with a Location', async () => {
    const res = await createOrder(alice, {
      items: [
        { sku: 'MUG-1', quantity: 2 },
        { sku: 'TEE.L', quantity: 1 },
      ],
      note: 'gift wrap please',
    });

    expect(res.statusCode).toBe(201);
    const order = res.body;
    expect(order).toEqual({
      orderId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      status: 'pending',
      items: [
        { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1299, lineTotal: 2598 },
        { sku: 'TEE.L', name: 'T-shirt L', quantity: 1, unitPrice: 1999, lineTotal: 1999 },
      ],
      currency: 'EUR',
      total: 4597,
      note: 'gift wrap please',
      version: 1,
      trackingId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      createdAt: expect.any(String),
      updatedAt: order.createdAt,
      createdBy: 'alice',
    });
    expect(res.headers.Location).toBe(`/prod/orders/${order.orderId}`);

    const stored = await probe.storedOrder(tenantA, order.orderId);
    expect(stored).toEqual({
      ...order,
      ...orderKeys.order(tenantA, order.orderId),
      ...orderKeys.statusIndex(tenantA, 'pending', order.orderId),
      // The entity name stream consumers (live updates) select on.
      entity: 'order',
    });
  });

  it('prices the same SKU from each tenant’s own catalog', async () => {
    const res = await createOrder(bob, { items: [{ sku: 'MUG-1', quantity: 3 }] });
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({
      total: 1500,
      items: [{ name: 'Tasse', unitPrice: 500 }],
      createdBy: 'bob',
    });
    expect(res.body).not.toHaveProperty('note');
  });

  it('answers 401 when the authorizer supplied no tenant', async () => {
    const event = restEvent(
      { method: 'POST', resource: '/orders', body: { items: [{ sku: 'MUG-1', quantity: 1 }] } },
      {},
    );
    const res = await invoke<ErrorBody>(handler, event);
    expect(res.statusCode).toBe(401);
    expect(res.body.code).toBe('Unauthorized');
  });

  describe('rejects bad input with 400 and writes nothing', () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
    const cases: Array<[string, unknown, RegExp, Record<string, string>?]> = [
      [
        'an unknown property',
        { items: [{ sku: 'MUG-1', quantity: 1 }], total: 1 },
        /Unrecognized key.*"total"/,
      ],
      [
        'a client-supplied unit price',
        { items: [{ sku: 'MUG-1', quantity: 1, unitPrice: 1 }] },
        /items\.0: Unrecognized key.*"unitPrice"/,
      ],
      ['a missing body', undefined, /^request body is required$/],
      ['a body that is not JSON', '{"items": [', /^request body must be valid JSON$/],
      ['no items', { items: [] }, /^invalid request body: items: /],
      ['more than 50 items', { items: tooMany }, /^invalid request body: items: /],
      [
        'a duplicate sku',
        {
          items: [
            { sku: 'MUG-1', quantity: 1 },
            { sku: 'MUG-1', quantity: 2 },
          ],
        },
        /items\.1\.sku: duplicate sku 'MUG-1'/,
      ],
      ['a zero quantity', { items: [{ sku: 'MUG-1', quantity: 0 }] }, /items\.0\.quantity: /],
      ['a quantity over 1000', { items: [{ sku: 'MUG-1', quantity: 1001 }] }, /items\.0\.quantity: /],
      ['a fractional quantity', { items: [{ sku: 'MUG-1', quantity: 1.5 }] }, /items\.0\.quantity: /],
      ['a malformed sku', { items: [{ sku: 'MUG#1', quantity: 1 }] }, /items\.0\.sku: must be 1-64 letters/],
      [
        'a note over 500 characters',
        { items: [{ sku: 'MUG-1', quantity: 1 }], note: 'n'.repeat(501) },
        /note: /,
      ],
      ['an unknown sku', { items: [{ sku: 'NOPE', quantity: 1 }] }, /^unknown sku: NOPE$/],
      [
        'skus only another tenant sells',
        {
          items: [
            { sku: 'B-ONLY', quantity: 1 },
            { sku: 'MUG-1', quantity: 1 },
            { sku: 'GONE', quantity: 1 },
          ],
        },
        /^unknown skus: B-ONLY, GONE$/,
      ],
      [
        'items in different currencies',
        {
          items: [
            { sku: 'MUG-1', quantity: 1 },
            { sku: 'CAP_US', quantity: 1 },
          ],
        },
        /one currency; found EUR, USD/,
      ],
      [
        'an over-long Idempotency-Key',
        { items: [{ sku: 'MUG-1', quantity: 1 }] },
        /^invalid Idempotency-Key header: /,
        { 'Idempotency-Key': 'k'.repeat(129) },
      ],
      [
        'an Idempotency-Key with forbidden characters',
        { items: [{ sku: 'MUG-1', quantity: 1 }] },
        /^invalid Idempotency-Key header: /,
        { 'idempotency-key': 'a/b' },
      ],
      [
        'an unknown sku sent with an Idempotency-Key',
        { items: [{ sku: 'NOPE', quantity: 1 }] },
        /^unknown sku: NOPE$/,
        { 'Idempotency-Key': 'bad-input-key' },
      ],
    ];

    // Every row gets all four arguments: jest would take a missing last one for a `done` callback.
    const rows = cases.map(([name, body, message, headers]) => [name, body, message, headers ?? {}] as const);
    it.each(rows)('%s', async (_, body, message, headers) => {
      const caller = await freshTenant();
      const recordsBefore = (await probe.idempotencyRecords()).length;

      const res = await call<ErrorBody>(caller, {
        method: 'POST',
        resource: '/orders',
        ...(body === undefined ? {} : { body }),
        headers,
      });

      expect(res.statusCode).toBe(400);
      expect(res.body.code).toBe('ValidationError');
      expect(res.body.message).toMatch(message);
      expect(await probe.storedOrders(caller.tenantId)).toEqual([]);
      expect((await probe.idempotencyRecords()).length).toBe(recordsBefore);
    });
  });

  it('answers 500 with only a request id when the write fails, and stores nothing', async () => {
    const caller = await freshTenant();
    const ddb = mockClient(documentClient);
    try {
      ddb.on(BatchGetCommand).callsFake((input) => probe.client.send(new BatchGetCommand(input)));
      ddb.on(PutCommand).rejects(
        Object.assign(new Error('arn:aws:dynamodb:us-east-1:123456789012:table/secret-table throttled'), {
          name: 'ProvisionedThroughputExceededException',
        }),
      );
      const event = lambdaAuthorizerEvent(
        {
          method: 'POST',
          resource: '/orders',
          body: { items: [{ sku: 'MUG-1', quantity: 1 }] },
          requestId: 'req-500',
        },
        caller,
      );

      const res = await invoke<ErrorBody>(handler, event);

      expect(res.statusCode).toBe(500);
      expect(res.body).toEqual({ code: 'InternalError', message: 'internal error', requestId: 'req-500' });
      expect(res.headers['X-Request-Id']).toBe('req-500');
      expect(JSON.stringify(res.body)).not.toMatch(/secret|arn:|Throughput/);
      expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
    } finally {
      ddb.restore();
    }
    expect(await probe.storedOrders(caller.tenantId)).toEqual([]);
  });

  it.each([
    ['a price stored as a string', { price: '1299' }],
    ['a missing currency', { currency: undefined }],
  ])('answers 500 with the request id, never pricing it, when the catalog item has %s', async (_, change) => {
    const caller = await freshTenant();
    const key = catalogKeys.item(caller.tenantId, 'MUG-1');
    const { Item } = await probe.client.send(new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: key }));
    await probe.client.send(
      new PutCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Item: Object.fromEntries(Object.entries({ ...Item, ...change }).filter(([, v]) => v !== undefined)),
      }),
    );
    const logged = jest.spyOn(logger, 'error');
    try {
      const event = lambdaAuthorizerEvent(
        {
          method: 'POST',
          resource: '/orders',
          body: { items: [{ sku: 'MUG-1', quantity: 1 }] },
          requestId: 'req-corrupt-price',
        },
        caller,
      );
      const res = await invoke<ErrorBody>(handler, event);
      expect(res.statusCode).toBe(500);
      expect(res.body).toEqual({
        code: 'InternalError',
        message: 'internal error',
        requestId: 'req-corrupt-price',
      });
      expect(logged).toHaveBeenCalledWith(
        'unhandled error',
        expect.objectContaining({ entity: 'catalog item', key }),
      );
    } finally {
      logged.mockRestore();
    }
    expect(await probe.storedOrders(caller.tenantId)).toEqual([]);
  });
});

describe('POST /orders with an Idempotency-Key', () => {
  const body = { items: [{ sku: 'MUG-1', quantity: 2 }] };

  it('replays the first response for a retry and writes one order', async () => {
    const caller = await freshTenant();
    const headers = { 'Idempotency-Key': 'retry-1' };

    const first = await createOrder(caller, body, headers);
    const retry = await createOrder(caller, body, headers);

    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.Location).toBe(first.headers.Location);
    expect(await probe.storedOrders(caller.tenantId)).toHaveLength(1);
  });

  it('answers 422 when the key is reused with a different body, and writes nothing more', async () => {
    const caller = await freshTenant();
    const headers = { 'Idempotency-Key': 'reused-key' };
    await createOrder(caller, body, headers);

    const res = await call<ErrorBody>(caller, {
      method: 'POST',
      resource: '/orders',
      headers,
      body: { items: [{ sku: 'MUG-1', quantity: 3 }] },
    });

    expect(res.statusCode).toBe(422);
    expect(res.body.code).toBe('Unprocessable');
    expect(res.body.message).toMatch(/Idempotency-Key was already used with a different request body/);
    expect(await probe.storedOrders(caller.tenantId)).toHaveLength(1);
  });

  it('keeps keys per tenant: the same key from two tenants creates two orders', async () => {
    const one = await freshTenant();
    const two = await freshTenant();
    const headers = { 'Idempotency-Key': 'shared-key-name' };

    const a = await createOrder(one, body, headers);
    const b = await createOrder(two, body, headers);

    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.body.orderId).not.toBe(a.body.orderId);
    expect(await probe.storedOrders(one.tenantId)).toHaveLength(1);
    expect(await probe.storedOrders(two.tenantId)).toHaveLength(1);
  });

  it('does not burn the key when the first attempt was rejected', async () => {
    const caller = await freshTenant();
    const headers = { 'Idempotency-Key': 'fix-and-retry' };

    const rejected = await createOrder(caller, { items: [{ sku: 'TYPO', quantity: 1 }] }, headers);
    const fixed = await createOrder(caller, body, headers);

    expect(rejected.statusCode).toBe(400);
    expect(fixed.statusCode).toBe(201);
    expect(await probe.storedOrders(caller.tenantId)).toHaveLength(1);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const caller = await freshTenant();
    const headers = { 'Idempotency-Key': 'slow-one' };
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = () => {};
    const firstIsPricing = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // Hold the first request inside its catalog lookup, which no engine can be told to do.
    const ddb = mockClient(documentClient);
    try {
      ddb.on(BatchGetCommand).callsFake(async (input) => {
        entered();
        await gate;
        return probe.client.send(new BatchGetCommand(input));
      });
      ddb.on(PutCommand).callsFake((input) => probe.client.send(new PutCommand(input)));

      const first = createOrder(caller, body, headers);
      await firstIsPricing;
      const second = await call<ErrorBody>(caller, { method: 'POST', resource: '/orders', headers, body });
      release();

      expect(second.statusCode).toBe(409);
      expect(second.body.message).toMatch(/still in progress/);
      expect((await first).statusCode).toBe(201);
    } finally {
      release();
      ddb.restore();
    }
    expect(await probe.storedOrders(caller.tenantId)).toHaveLength(1);
  });
});

describe('GET /orders/{orderId}', () => {
  it('returns the caller’s order without key attributes', async () => {
    const order = await newOrder(alice);
    const res = await getOrder(alice, order.orderId);
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual(order);
    for (const key of ['PK', 'SK', 'GSI1PK', 'GSI1SK']) expect(res.body).not.toHaveProperty(key);
  });

  it('answers 404 for another tenant’s order', async () => {
    const theirs = await newOrder(bob);
    const res = await call<ErrorBody>(alice, {
      method: 'GET',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: theirs.orderId },
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).toMatchObject({ code: 'NotFound', message: `order '${theirs.orderId}' not found` });
    expect(JSON.stringify(res.body)).not.toContain(theirs.trackingId);
  });

  it('answers 404 for ids that cannot exist', async () => {
    for (const orderId of ['nope', '01JABCDEFGHJKMNPQRSTVWXYZ0', 'ORDER#x']) {
      const res = await call<ErrorBody>(alice, {
        method: 'GET',
        resource: '/orders/{orderId}',
        pathParameters: { orderId },
      });
      expect(res.statusCode).toBe(404);
    }
  });
});

describe('GET /orders', () => {
  it('lists only the caller’s tenant’s orders, newest first', async () => {
    const one = await freshTenant();
    const two = await freshTenant();
    const first = await newOrder(one, 1);
    const theirs = await newOrder(two, 1);
    const second = await newOrder(one, 2);

    const mine = await listOrders(one);
    const other = await listOrders(two);

    expect(mine.statusCode).toBe(200);
    expect(mine.body).toEqual({ items: [second, first] });
    expect(other.body).toEqual({ items: [theirs] });
  });

  it('pages through every order with limit and nextToken, without repeats', async () => {
    const caller = await freshTenant();
    const created: Order[] = [];
    for (let i = 1; i <= 5; i++) created.push(await newOrder(caller, i));

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const res = await listOrders(caller, { limit: '2', ...(nextToken ? { nextToken } : {}) });
      expect(res.statusCode).toBe(200);
      pageSizes.push(res.body.items.length);
      seen.push(...res.body.items.map((o) => o.orderId));
      nextToken = res.body.nextToken;
    } while (nextToken);

    expect(pageSizes.slice(0, 3)).toEqual([2, 2, 1]);
    expect(seen).toEqual(created.map((o) => o.orderId).reverse());
  });

  it('defaults to 20 orders a page', async () => {
    const caller = await freshTenant();
    for (let i = 0; i < 21; i++) await newOrder(caller);
    const res = await listOrders(caller);
    expect(res.body.items).toHaveLength(20);
    expect(res.body.nextToken).toEqual(expect.any(String));
  });

  it('filters by status through the status index, following status changes', async () => {
    const caller = await freshTenant();
    const pending = await newOrder(caller);
    const confirmed = await advance(caller, await newOrder(caller), 'confirmed');
    const shipped = await advance(caller, await newOrder(caller), 'confirmed', 'shipped');
    const cancelledRes = await cancelOrder(caller, (await newOrder(caller)).orderId);

    expect((await listOrders(caller, { status: 'pending' })).body.items).toEqual([pending]);
    expect((await listOrders(caller, { status: 'confirmed' })).body.items).toEqual([confirmed]);
    expect((await listOrders(caller, { status: 'shipped' })).body.items).toEqual([shipped]);
    expect((await listOrders(caller, { status: 'cancelled' })).body.items).toEqual([cancelledRes.body]);
    expect((await listOrders(caller, { status: 'delivered' })).body.items).toEqual([]);
  });

  it('pages a status listing too', async () => {
    const caller = await freshTenant();
    const orders = [await newOrder(caller), await newOrder(caller), await newOrder(caller)];
    const page1 = await listOrders(caller, { status: 'pending', limit: '2' });
    expect(page1.body.nextToken).toEqual(expect.any(String));
    const page2 = await listOrders(caller, {
      status: 'pending',
      limit: '2',
      nextToken: page1.body.nextToken ?? '',
    });
    expect([...page1.body.items, ...page2.body.items].map((o) => o.orderId)).toEqual(
      orders.map((o) => o.orderId).reverse(),
    );
  });

  it('rejects a nextToken taken from another tenant’s listing with 400', async () => {
    const victim = await freshTenant();
    await newOrder(victim);
    await newOrder(victim);
    const victimToken = (await listOrders(victim, { limit: '1' })).body.nextToken ?? '';
    expect(victimToken).not.toBe('');

    const res = await call<ErrorBody>(alice, {
      method: 'GET',
      resource: '/orders',
      query: { limit: '1', nextToken: victimToken },
    });

    expect(res.statusCode).toBe(400);
    expect(res.body.message).toBe('nextToken is invalid');
  });

  it('rejects a nextToken edited to point into another tenant’s partition with 400', async () => {
    await newOrder(alice);
    await newOrder(alice);
    const token = (await listOrders(alice, { limit: '1' })).body.nextToken ?? '';
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, string>;
    const forged = Buffer.from(JSON.stringify({ ...key, PK: orderKeys.partition(tenantB) })).toString(
      'base64url',
    );

    const res = await call<ErrorBody>(alice, {
      method: 'GET',
      resource: '/orders',
      query: { nextToken: forged },
    });

    expect(res.statusCode).toBe(400);
    expect(res.body.message).toBe('nextToken is invalid');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a zero limit', { limit: '0' }, /limit/],
    ['a limit over 100', { limit: '101' }, /limit/],
    ['a non-numeric limit', { limit: 'all' }, /limit: must be a whole number/],
    ['an unknown status', { status: 'lost' }, /status/],
    ['an unknown parameter', { tenantId: tenantB }, /Unrecognized key.*"tenantId"/],
    ['a garbage nextToken', { nextToken: 'garbage' }, /^nextToken is invalid$/],
  ])('rejects %s with 400', async (_, query, message) => {
    const res = await call<ErrorBody>(alice, { method: 'GET', resource: '/orders', query });
    expect(res.statusCode).toBe(400);
    expect(res.body.message).toMatch(message);
  });
});

describe('PATCH /orders/{orderId}', () => {
  it('moves an order through its lifecycle, bumping the version and the status index', async () => {
    const order = await newOrder(alice);

    const confirmed = await patchOrder(alice, order.orderId, { version: 1, status: 'confirmed' });

    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toEqual({
      ...order,
      status: 'confirmed',
      version: 2,
      updatedAt: expect.any(String),
    });
    expect(confirmed.body.updatedAt >= order.updatedAt).toBe(true);
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({
      status: 'confirmed',
      version: 2,
      GSI1PK: orderKeys.statusPartition(tenantA, 'confirmed'),
      GSI1SK: `ORDER#${order.orderId}`,
    });
    const delivered = await advance(alice, confirmed.body, 'shipped', 'delivered');
    expect(delivered).toMatchObject({ status: 'delivered', version: 4 });
  });

  it('sets and removes the note', async () => {
    const order = await newOrder(alice);
    const noted = await patchOrder(alice, order.orderId, { version: 1, note: 'leave at the door' });
    expect(noted.body).toMatchObject({ note: 'leave at the door', version: 2, status: 'pending' });

    const cleared = await patchOrder(alice, order.orderId, { version: 2, note: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.body).not.toHaveProperty('note');
    expect(await probe.storedOrder(tenantA, order.orderId)).not.toHaveProperty('note');
  });

  it('answers 409 with the current version when the client’s version is stale, changing nothing', async () => {
    const order = await advance(alice, await newOrder(alice), 'confirmed');

    const res = await call<ErrorBody>(alice, {
      method: 'PATCH',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: order.orderId },
      body: { version: 1, status: 'shipped' },
    });

    expect(res.statusCode).toBe(409);
    expect(res.body).toMatchObject({ code: 'Conflict', currentVersion: 2 });
    expect(res.body.message).toMatch(/version 2, not 1/);
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({
      status: 'confirmed',
      version: 2,
    });
  });

  it.each<[string, string[], string, RegExp]>([
    ['pending → shipped', [], 'shipped', /from 'pending' to 'shipped'; allowed: confirmed/],
    ['confirmed → pending', ['confirmed'], 'pending', /from 'confirmed' to 'pending'; allowed: shipped/],
    ['delivered → shipped', ['confirmed', 'shipped', 'delivered'], 'shipped', /no status change is allowed/],
    ['pending → cancelled', [], 'cancelled', /cancel an order with DELETE/],
  ])('answers 409 for the transition %s, changing nothing', async (_, path, target, message) => {
    const order = await advance(alice, await newOrder(alice), ...path);

    const res = await call<ErrorBody>(alice, {
      method: 'PATCH',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: order.orderId },
      body: { version: order.version, status: target },
    });

    expect(res.statusCode).toBe(409);
    expect(res.body.message).toMatch(message);
    expect(res.body.currentStatus).toBe(order.status);
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({
      status: order.status,
      version: order.version,
    });
  });

  it('answers 404 for another tenant’s order and leaves it unchanged', async () => {
    const theirs = await newOrder(bob);
    const res = await call<ErrorBody>(alice, {
      method: 'PATCH',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: theirs.orderId },
      body: { version: 1, status: 'confirmed', note: 'mine now' },
    });
    expect(res.statusCode).toBe(404);
    expect(await probe.storedOrder(tenantB, theirs.orderId)).toMatchObject({ ...theirs });
    expect((await getOrder(bob, theirs.orderId)).body).toEqual(theirs);
  });

  it.each<[string, unknown, RegExp]>([
    ['no version', { status: 'confirmed' }, /version/],
    ['a zero version', { version: 0, status: 'confirmed' }, /version/],
    ['neither status nor note', { version: 1 }, /at least one of status or note is required/],
    ['an unknown status', { version: 1, status: 'teleported' }, /status/],
    ['a field the client may not set', { version: 1, note: 'x', total: 0 }, /Unrecognized key.*"total"/],
    ['a note over 500 characters', { version: 1, note: 'n'.repeat(501) }, /note/],
  ])('rejects %s with 400, changing nothing', async (_, body, message) => {
    const order = await newOrder(alice);
    const res = await call<ErrorBody>(alice, {
      method: 'PATCH',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: order.orderId },
      body,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({ ...order });
  });
});

describe('DELETE /orders/{orderId}', () => {
  it.each<[string, string[]]>([
    ['pending', []],
    ['confirmed', ['confirmed']],
  ])('cancels a %s order', async (_, path) => {
    const order = await advance(alice, await newOrder(alice), ...path);

    const res = await cancelOrder(alice, order.orderId);

    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({
      ...order,
      status: 'cancelled',
      version: order.version + 1,
      updatedAt: expect.any(String),
    });
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({
      status: 'cancelled',
      GSI1PK: orderKeys.statusPartition(tenantA, 'cancelled'),
    });
  });

  it('answers a repeated cancel with the cancelled order, unchanged', async () => {
    const order = await newOrder(alice);
    const first = await cancelOrder(alice, order.orderId);
    const again = await cancelOrder(alice, order.orderId);
    expect(again.statusCode).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.body.version).toBe(2);
  });

  it.each<[string, string[]]>([
    ['shipped', ['confirmed', 'shipped']],
    ['delivered', ['confirmed', 'shipped', 'delivered']],
  ])('answers 409 for a %s order, changing nothing', async (status, path) => {
    const order = await advance(alice, await newOrder(alice), ...path);

    const res = await call<ErrorBody>(alice, {
      method: 'DELETE',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: order.orderId },
    });

    expect(res.statusCode).toBe(409);
    expect(res.body.message).toBe(
      `cannot cancel order '${order.orderId}': it is already ${status}; only pending or confirmed orders can be cancelled`,
    );
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({ status, version: order.version });
  });

  it('answers 409 with the current version when an optional version is stale', async () => {
    const order = await advance(alice, await newOrder(alice), 'confirmed');
    const res = await call<ErrorBody>(alice, {
      method: 'DELETE',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: order.orderId },
      query: { version: '1' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.body.currentVersion).toBe(2);
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({ status: 'confirmed' });

    const withCurrent = await cancelOrder(alice, order.orderId, { version: '2' });
    expect(withCurrent.body).toMatchObject({ status: 'cancelled', version: 3 });
  });

  it('answers 404 for another tenant’s order and leaves it unchanged', async () => {
    const theirs = await newOrder(bob);
    const res = await call<ErrorBody>(alice, {
      method: 'DELETE',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: theirs.orderId },
    });
    expect(res.statusCode).toBe(404);
    expect((await getOrder(bob, theirs.orderId)).body).toEqual(theirs);
  });

  it('rejects unknown query parameters with 400', async () => {
    const order = await newOrder(alice);
    const res = await call<ErrorBody>(alice, {
      method: 'DELETE',
      resource: '/orders/{orderId}',
      pathParameters: { orderId: order.orderId },
      query: { force: 'true' },
    });
    expect(res.statusCode).toBe(400);
    expect(await probe.storedOrder(tenantA, order.orderId)).toMatchObject({ status: 'pending' });
  });
});
