import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readMeConfig } from '../../services/me/config';
import { createMeHandler } from '../../services/me/handler';
import { createOrdersRepository, type Order } from '../../services/orders/orders-repository';
import { readPublicCatalogConfig } from '../../services/public-catalog/config';
import {
  createPublicCatalogHandler,
  PUBLIC_CATALOG_CACHE_CONTROL,
} from '../../services/public-catalog/handler';
import { readPublicTrackingConfig } from '../../services/public-tracking/config';
import { createPublicTrackingHandler } from '../../services/public-tracking/handler';
import { catalogItemCodec } from '../../shared/codecs/catalog-item-codec';
import { type TenantStatus, tenantProfileCodec } from '../../shared/codecs/tenant-profile-codec';
import { tenantSlugRecordCodec } from '../../shared/codecs/tenant-slug-codec';
import { documentClient } from '../../shared/dynamo';
import { tenantId as newTenantId, secretId, sortableId } from '../../shared/ids';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { orderKeys } from '../../shared/keys/order-keys';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { trackingKeys } from '../../shared/keys/tracking-keys';
import { logger } from '../../shared/logger';
import { lambdaContext } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { httpApiEvent, jwtEvent, parsed } from '../support/http-api-events';
import { TEST_ENV } from '../support/test-env';

const catalogHandler = createPublicCatalogHandler(readPublicCatalogConfig(TEST_ENV));
const trackingHandler = createPublicTrackingHandler(readPublicTrackingConfig(TEST_ENV));
const meHandler = createMeHandler(readMeConfig(TEST_ENV));
const orders = createOrdersRepository(TEST_ENV.TABLE_NAME);

let engine: DynamoEngine;
beforeAll(async () => {
  engine = await startDynamo();
});
afterAll(() => engine.stop());

const put = (Item: Record<string, unknown>) =>
  documentClient.send(new PutCommand({ TableName: TEST_ENV.TABLE_NAME, Item }));
const now = new Date().toISOString();

/** A tenant with a profile, a slug and (optionally) a catalog, written with the entities' own codecs. */
async function tenant(
  options: { status?: TenantStatus; items?: Array<{ sku: string; public: boolean }> } = {},
): Promise<{ tenantId: string; slug: string }> {
  const tenantId = newTenantId();
  const slug = `shop-${tenantId}`;
  await put(
    tenantProfileCodec.toItem({
      tenantId,
      name: `Shop ${tenantId}`,
      tier: 'premium',
      status: options.status ?? 'ACTIVE',
      apiKeyValue: 'k'.repeat(40),
      apiKeyId: 'key-1',
      adminEmail: `admin@${tenantId}.example.com`,
      createdAt: now,
      updatedAt: now,
    }),
  );
  await put(tenantSlugRecordCodec.toItem({ slug, tenantId, createdAt: now }));
  for (const item of options.items ?? []) {
    await put(
      catalogItemCodec.toItem(tenantId, {
        sku: item.sku,
        name: `Item ${item.sku}`,
        price: 1000,
        currency: 'EUR',
        public: item.public,
        updatedAt: now,
        updatedBy: 'user-admin',
      }),
    );
  }
  return { tenantId, slug };
}

const catalog = async (slug: string, query?: Record<string, string>) =>
  parsed(
    await catalogHandler(
      httpApiEvent({
        routeKey: 'GET /public/{tenantSlug}/catalog',
        pathParameters: { tenantSlug: slug },
        ...(query ? { query } : {}),
      }),
      lambdaContext(),
    ),
  );

describe('GET /public/{tenantSlug}/catalog', () => {
  it('lists only public items, each with exactly sku, name, price and currency, cacheable', async () => {
    const shop = await tenant({
      items: [
        { sku: 'A-1', public: true },
        { sku: 'B-2', public: false },
        { sku: 'C-3', public: true },
      ],
    });
    const reply = await catalog(shop.slug);
    expect(reply.status).toBe(200);
    expect(reply.headers['Cache-Control']).toBe(PUBLIC_CATALOG_CACHE_CONTROL);
    expect(Object.keys(reply.body)).toEqual(['items']);
    const items = reply.body.items as Array<Record<string, unknown>>;
    expect(items.map((item) => item.sku)).toEqual(['A-1', 'C-3']);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['currency', 'name', 'price', 'sku']);
    expect(items[0]).toEqual({ sku: 'A-1', name: 'Item A-1', price: 1000, currency: 'EUR' });
  });

  it('fills pages past private items and pages to the end without repeating or skipping one', async () => {
    const skus = Array.from({ length: 9 }, (_, i) => `SKU-${i}`);
    const shop = await tenant({ items: skus.map((sku, i) => ({ sku, public: i % 2 === 0 })) });
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const reply = await catalog(shop.slug, { limit: '2', ...(nextToken ? { nextToken } : {}) });
      expect(reply.status).toBe(200);
      const items = reply.body.items as Array<{ sku: string }>;
      pageSizes.push(items.length);
      seen.push(...items.map((item) => item.sku));
      nextToken = reply.body.nextToken as string | undefined;
    } while (nextToken);
    expect(seen).toEqual(['SKU-0', 'SKU-2', 'SKU-4', 'SKU-6', 'SKU-8']);
    expect(pageSizes).toEqual([2, 2, 1]);
  });

  it('answers an empty list for a tenant with no public items', async () => {
    const shop = await tenant({ items: [{ sku: 'SECRET-1', public: false }] });
    expect((await catalog(shop.slug)).body).toEqual({ items: [] });
  });

  it.each([
    ['an unknown slug', 'no-such-shop'],
    ['a path traversal', '../../admin'],
    ['an overlong slug', 'a'.repeat(65)],
    ['upper case', 'Shop'],
    ['a key separator', 'shop#x'],
  ])('answers %s with the same 404, not revealing which', async (_, slug) => {
    const reply = await catalog(slug);
    expect(reply.status).toBe(404);
    expect(reply.headers['Cache-Control']).toBe('no-store');
    expect(reply.body).toEqual({
      code: 'NotFound',
      message: 'no public catalog at this address',
      requestId: expect.any(String),
    });
  });

  it.each<TenantStatus>(['ONBOARDING', 'SUSPENDED'])('has no storefront for an %s tenant', async (status) => {
    const shop = await tenant({ status, items: [{ sku: 'A-1', public: true }] });
    expect((await catalog(shop.slug)).status).toBe(404);
  });

  it('refuses a page token that points into another tenant’s catalog with 400', async () => {
    const mine = await tenant({ items: [{ sku: 'A-1', public: true }] });
    const theirs = await tenant({ items: [{ sku: 'Z-9', public: true }] });
    const forged = Buffer.from(JSON.stringify(catalogKeys.item(theirs.tenantId, 'A-0'))).toString(
      'base64url',
    );
    const reply = await catalog(mine.slug, { nextToken: forged });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe('nextToken is invalid');
  });

  it.each([
    ['an unknown parameter', { sort: 'price' }, /query string/],
    ['a limit out of range', { limit: '101' }, /limit/],
    ['a repeated limit (joined with a comma by the gateway)', { limit: '2,3' }, /limit/],
  ])('answers %s with 400 naming it', async (_, query, message) => {
    const shop = await tenant();
    const reply = await catalog(shop.slug, query);
    expect(reply.status).toBe(400);
    expect(String(reply.body.message)).toMatch(message);
  });

  it('answers thousands of query parameters with a short 400 that does not echo them', async () => {
    const shop = await tenant();
    const query = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p${i}`, 'x']));
    const reply = await catalog(shop.slug, query);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe('too many query parameters (3000): at most 20');
  });

  it('answers 500 with the request id for a corrupt stored item, never a half item', async () => {
    const shop = await tenant({ items: [{ sku: 'A-1', public: true }] });
    await documentClient.send(
      new UpdateCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Key: catalogKeys.item(shop.tenantId, 'A-1'),
        UpdateExpression: 'SET price = :p',
        ExpressionAttributeValues: { ':p': 'free' },
      }),
    );
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const reply = await catalog(shop.slug);
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({
        code: 'InternalError',
        message: 'internal error',
        requestId: expect.any(String),
      });
    } finally {
      logged.mockRestore();
    }
  });
});

async function placeOrder(tenantId: string): Promise<Order> {
  const order: Order = {
    orderId: sortableId(),
    status: 'pending',
    items: [{ sku: 'A-1', name: 'Widget', quantity: 2, unitPrice: 1250, lineTotal: 2500 }],
    currency: 'EUR',
    total: 2500,
    note: 'leave at the back door, call 555-0100',
    version: 1,
    trackingId: secretId(),
    createdAt: now,
    updatedAt: now,
    createdBy: 'user-member',
  };
  await orders.putNewOrder(tenantId, order);
  return order;
}

const track = async (trackingId: string, query?: Record<string, string>) =>
  parsed(
    await trackingHandler(
      httpApiEvent({
        routeKey: 'GET /public/track/{trackingId}',
        pathParameters: { trackingId },
        ...(query ? { query } : {}),
      }),
      lambdaContext(),
    ),
  );

describe('GET /public/track/{trackingId}', () => {
  it('answers exactly the status and an empty timeline of a new order, and nothing of its tenant, prices or note', async () => {
    const { tenantId } = await tenant();
    const order = await placeOrder(tenantId);
    const reply = await track(order.trackingId);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'pending', timeline: [] });
    expect(Object.keys(reply.body).sort()).toEqual(['status', 'timeline']);
    expect(reply.headers['Cache-Control']).toBe('private, max-age=15');
    expect(JSON.stringify(reply)).not.toMatch(new RegExp(`${tenantId}|${order.orderId}|2500|555-0100`));
  });

  it('writes the tracking pointer with the order, pointing at exactly its tenant and order', async () => {
    const { tenantId } = await tenant();
    const order = await placeOrder(tenantId);
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: trackingKeys.pointer(order.trackingId) }),
    );
    expect(Item).toEqual({
      PK: `TRACKING#${order.trackingId}`,
      SK: 'TRACKING',
      trackingId: order.trackingId,
      tenantId,
      orderId: order.orderId,
    });
  });

  it('shows accepted carrier events with only their type, time and carrier', async () => {
    const { tenantId } = await tenant();
    const order = await placeOrder(tenantId);
    await documentClient.send(
      new UpdateCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Key: orderKeys.order(tenantId, order.orderId),
        UpdateExpression: 'SET #status = :s, timeline = :t',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':s': 'shipped',
          ':t': [
            { type: 'picked', occurredAt: '2026-01-02T10:00:00Z', eventId: 'ev-1', tenantId },
            {
              type: 'shipped',
              occurredAt: '2026-01-02T12:00:00Z',
              carrier: 'DHL',
              note: 'customer phone 555-0100',
              eventId: 'ev-2',
            },
          ],
        },
      }),
    );
    const reply = await track(order.trackingId);
    expect(reply.body).toEqual({
      status: 'shipped',
      timeline: [
        { type: 'picked', occurredAt: '2026-01-02T10:00:00Z' },
        { type: 'shipped', occurredAt: '2026-01-02T12:00:00Z', carrier: 'DHL' },
      ],
    });
    for (const entry of reply.body.timeline as Array<Record<string, unknown>>) {
      expect(Object.keys(entry).every((key) => ['type', 'occurredAt', 'carrier'].includes(key))).toBe(true);
    }
  });

  it.each([
    ['an unknown id', secretId()],
    ['an id of another format', 'ORDER-12345'],
    ['a path traversal', '../../TENANT#x'],
    ['an overlong id', 'A'.repeat(5000)],
    ['an order id instead of the tracking id', sortableId()],
  ])('answers %s with the same 404 as any other unknown id', async (_, trackingId) => {
    const reply = await track(trackingId);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      code: 'NotFound',
      message: 'no order with this tracking id',
      requestId: expect.any(String),
    });
  });

  it('answers a pointer whose order was never written with the same 404', async () => {
    const { tenantId } = await tenant();
    const trackingId = secretId();
    await put({ ...trackingKeys.pointer(trackingId), trackingId, tenantId, orderId: sortableId() });
    expect((await track(trackingId)).status).toBe(404);
  });

  it('answers a suspended tenant’s tracking id with the 404 of an unknown one, and the order again once active', async () => {
    const { tenantId } = await tenant({ status: 'SUSPENDED' });
    const order = await placeOrder(tenantId);
    const reply = await track(order.trackingId);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ message: 'no order with this tracking id' });
    await documentClient.send(
      new UpdateCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Key: tenantKeys.profile(tenantId),
        UpdateExpression: 'SET #s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':active': 'ACTIVE' },
      }),
    );
    expect((await track(order.trackingId)).status).toBe(200);
  });

  it('refuses a query string with 400', async () => {
    const { tenantId } = await tenant();
    const order = await placeOrder(tenantId);
    const reply = await track(order.trackingId, { tenantId });
    expect(reply.status).toBe(400);
    expect(String(reply.body.message)).toMatch(/query string/);
  });
});

const idClaims = (tenantId: string, role = 'member') => ({
  sub: 'user-1',
  'custom:tenantId': tenantId,
  'custom:role': role,
  'cognito:groups': `[${role}]`,
  token_use: 'id',
  aud: TEST_ENV.USER_POOL_CLIENT_ID,
  email: 'member@example.com',
});
const me = async (claims: Record<string, string>) =>
  parsed(await meHandler(jwtEvent({ routeKey: 'GET /me' }, claims), lambdaContext()));

describe('GET /me', () => {
  it('answers exactly the caller’s user id, tenant, tenant name, role and tier, never cached', async () => {
    const { tenantId } = await tenant();
    const reply = await me(idClaims(tenantId, 'admin'));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      userId: 'user-1',
      tenantId,
      tenantName: `Shop ${tenantId}`,
      role: 'admin',
      tier: 'premium',
    });
    expect(reply.headers['Cache-Control']).toBe('private, no-store');
    expect(JSON.stringify(reply.body)).not.toMatch(/apiKey|kkkk|admin@/);
  });

  it('refuses an access token (no tenant attributes) with 401 saying which token to send', async () => {
    const { tenantId } = await tenant();
    const reply = await me({ ...idClaims(tenantId), token_use: 'access' });
    expect(reply.status).toBe(401);
    expect(reply.body.message).toBe('send the Cognito ID token, not an access token');
  });

  it('refuses a token with no tenant with 401', async () => {
    const { 'custom:tenantId': _, ...claims } = idClaims('t0000000000000000');
    expect((await me(claims)).status).toBe(401);
  });

  it.each<TenantStatus>(['ONBOARDING', 'SUSPENDED'])(
    'refuses the user of an %s tenant with 403',
    async (status) => {
      const { tenantId } = await tenant({ status });
      const reply = await me(idClaims(tenantId));
      expect(reply.status).toBe(403);
      expect(reply.body.message).toBe('the tenant is not active');
    },
  );
});
