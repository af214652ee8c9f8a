import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { readCatalogConfig } from '../../services/catalog/config';
import { createCatalogHandler } from '../../services/catalog/handler';
import { documentClient } from '../../shared/dynamo';
import { tenantId as newTenantId } from '../../shared/ids';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { logger } from '../../shared/logger';
import { cognitoEvent, lambdaContext, type RestRequest } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { putTenantProfile } from '../support/tenant-profiles';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

const handler = createCatalogHandler(readCatalogConfig(TEST_ENV), undefined, UNSCOPED_TENANT_DATA);

let engine: DynamoEngine;
beforeAll(async () => {
  engine = await startDynamo();
});
afterAll(() => engine.stop());

interface Caller {
  readonly tenantId: string;
  readonly role: 'admin' | 'member';
}

/** A fresh tenant per test keeps tests independent in the shared engine. */
async function newTenant(): Promise<{ admin: Caller; member: Caller; tenantId: string }> {
  const tenantId = newTenantId();
  await putTenantProfile(tenantId, 'ACTIVE');
  return { tenantId, admin: { tenantId, role: 'admin' }, member: { tenantId, role: 'member' } };
}

async function call(
  caller: Caller,
  request: RestRequest,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const event = cognitoEvent(request, {
    sub: `user-${caller.role}-${caller.tenantId}`,
    tenantId: caller.tenantId,
    role: caller.role,
    groups: [caller.role],
  });
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyResult;
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : {} };
}

const widget = { name: 'Widget', price: 1999, currency: 'EUR', public: true };

const put = (caller: Caller, sku: string, body: unknown) =>
  call(caller, { method: 'PUT', resource: '/catalog/{sku}', pathParameters: { sku }, body });
const get = (caller: Caller, sku: string) =>
  call(caller, { method: 'GET', resource: '/catalog/{sku}', pathParameters: { sku } });
const list = (caller: Caller, query?: Record<string, string>) =>
  call(caller, { method: 'GET', resource: '/catalog', ...(query ? { query } : {}) });

async function storedItems(tenantId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documentClient.send(
    new QueryCommand({
      TableName: TEST_ENV.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': catalogKeys.partition(tenantId) },
    }),
  );
  return Items;
}

describe('PUT /catalog/{sku}', () => {
  it('flushes the stage cache after storing an edit, and still answers the edit when the flush fails', async () => {
    const { admin, tenantId } = await newTenant();
    const flushes: string[] = [];
    const warned = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    // The flush's failure is injected (API Gateway throttling FlushStageCache): no engine can be made to refuse it.
    const failing = createCatalogHandler(
      readCatalogConfig(TEST_ENV),
      {
        flush: async () => {
          flushes.push('attempt');
          throw new Error('TooManyRequestsException');
        },
      },
      UNSCOPED_TENANT_DATA,
    );
    const event = cognitoEvent(
      { method: 'PUT', resource: '/catalog/{sku}', pathParameters: { sku: 'WID-F' }, body: widget },
      { sub: `user-admin-${tenantId}`, tenantId, role: admin.role, groups: [admin.role] },
    );
    const result = (await failing(event, lambdaContext())) as APIGatewayProxyResult;
    expect(result.statusCode).toBe(201);
    expect(flushes).toEqual(['attempt']);
    expect(await storedItems(tenantId)).toHaveLength(1);
    expect(warned).toHaveBeenCalledWith(
      expect.stringMatching(/stage cache was not flushed/),
      expect.anything(),
    );
    warned.mockRestore();
  });

  it('creates an item for an admin with 201 and stores exactly the attributes orders price from', async () => {
    const { admin, tenantId } = await newTenant();
    const response = await put(admin, 'WID-1', widget);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      sku: 'WID-1',
      ...widget,
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      updatedBy: `user-admin-${tenantId}`,
    });
    expect(response.body).not.toHaveProperty('PK');
    const [stored] = await storedItems(tenantId);
    expect(stored).toEqual({ ...catalogKeys.item(tenantId, 'WID-1'), ...response.body });
  });

  it('replaces an existing item with 200', async () => {
    const { admin, tenantId } = await newTenant();
    expect((await put(admin, 'WID-1', widget)).status).toBe(201);
    const replaced = await put(admin, 'WID-1', { ...widget, price: 2500, public: false });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ sku: 'WID-1', price: 2500, public: false });
    const items = await storedItems(tenantId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ price: 2500, public: false });
  });

  it('refuses every user of a suspended tenant with 403 from the next request on, and serves them again once it is active', async () => {
    const { admin, tenantId } = await newTenant();
    expect((await put(admin, 'WID-S', widget)).status).toBe(201);
    await putTenantProfile(tenantId, 'SUSPENDED');
    const refused = await put(admin, 'WID-S', { ...widget, price: 1 });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'Forbidden', message: 'the tenant is not active' });
    expect((await storedItems(tenantId))[0]).toMatchObject({ price: widget.price });
    await putTenantProfile(tenantId, 'ACTIVE');
    expect((await put(admin, 'WID-S', { ...widget, price: 1 })).status).toBe(200);
  });

  it('forbids a member with 403 and writes nothing', async () => {
    const { member, tenantId } = await newTenant();
    const response = await put(member, 'WID-1', widget);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'Forbidden' });
    expect(await storedItems(tenantId)).toEqual([]);
  });

  it('checks the admin group before the body, so a member gets 403 even for an invalid body', async () => {
    const { member, tenantId } = await newTenant();
    const response = await put(member, 'WID-1', { price: 'free' });
    expect(response.status).toBe(403);
    expect(await storedItems(tenantId)).toEqual([]);
  });

  it('forbids a caller whose role claim says admin but who is not in the admin group', async () => {
    const tenantId = newTenantId();
    const event = cognitoEvent(
      { method: 'PUT', resource: '/catalog/{sku}', pathParameters: { sku: 'WID-1' }, body: widget },
      { sub: 'user-x', tenantId, role: 'admin', groups: ['member'] },
    );
    const result = (await handler(event, lambdaContext())) as APIGatewayProxyResult;
    expect(result.statusCode).toBe(403);
    expect(await storedItems(tenantId)).toEqual([]);
  });

  it.each([
    ['an unknown property', { ...widget, tenantId: 'tother' }, 'tenantId'],
    ['a fractional price', { ...widget, price: 19.99 }, 'price'],
    ['a negative price', { ...widget, price: -1 }, 'price'],
    ['a price above the maximum', { ...widget, price: 100_000_001 }, 'price'],
    ['a lowercase currency', { ...widget, currency: 'eur' }, 'currency'],
    ['an empty name', { ...widget, name: '' }, 'name'],
    ['a name of 201 characters', { ...widget, name: 'x'.repeat(201) }, 'name'],
    ['a string for public', { ...widget, public: 'yes' }, 'public'],
    ['a missing field', { name: 'Widget', price: 1, currency: 'EUR' }, 'public'],
  ])('rejects a body with %s with 400, naming the field, and writes nothing', async (_, body, field) => {
    const { admin, tenantId } = await newTenant();
    const response = await put(admin, 'WID-1', body);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('ValidationError');
    expect(String(response.body.message)).toContain(field);
    expect(await storedItems(tenantId)).toEqual([]);
  });

  it('rejects a body that is not JSON with 400 and writes nothing', async () => {
    const { admin, tenantId } = await newTenant();
    const response = await put(admin, 'WID-1', '{"name":');
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('request body must be valid JSON');
    expect(await storedItems(tenantId)).toEqual([]);
  });

  it.each([['has#hash'], ['-leading-dash'], ['x'.repeat(65)], ['with space']])(
    'rejects the sku %p with 400 and writes nothing',
    async (sku) => {
      const { admin, tenantId } = await newTenant();
      const response = await put(admin, sku, widget);
      expect(response.status).toBe(400);
      expect(String(response.body.message)).toContain('sku');
      expect(await storedItems(tenantId)).toEqual([]);
    },
  );
});

describe('GET /catalog/{sku}', () => {
  it('returns the caller tenant’s item', async () => {
    const { admin, member } = await newTenant();
    await put(admin, 'WID-1', widget);
    const response = await get(member, 'WID-1');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sku: 'WID-1', ...widget });
    expect(response.body).not.toHaveProperty('SK');
  });

  it('returns 404 for a SKU that does not exist', async () => {
    const { member } = await newTenant();
    const response = await get(member, 'NOPE');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NotFound');
  });

  it('returns 404 for another tenant’s item', async () => {
    const a = await newTenant();
    const b = await newTenant();
    await put(a.admin, 'WID-1', widget);
    const response = await get(b.admin, 'WID-1');
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain('Widget');
  });
});

describe('GET /catalog', () => {
  it('lists only the caller tenant’s items', async () => {
    const a = await newTenant();
    const b = await newTenant();
    await put(a.admin, 'A-1', widget);
    await put(a.admin, 'A-2', { ...widget, name: 'Gadget' });
    const own = await list(a.member);
    expect(own.status).toBe(200);
    expect((own.body.items as Array<{ sku: string }>).map((i) => i.sku)).toEqual(['A-1', 'A-2']);
    expect(own.body).not.toHaveProperty('nextToken');
    const other = await list(b.member);
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ items: [] });
  });

  it('pages through the catalog with nextToken', async () => {
    const { admin, member } = await newTenant();
    for (const sku of ['S-1', 'S-2', 'S-3', 'S-4', 'S-5']) await put(admin, sku, widget);
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const response = await list(member, { limit: '2', ...(nextToken ? { nextToken } : {}) });
      expect(response.status).toBe(200);
      const items = response.body.items as Array<{ sku: string }>;
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((i) => i.sku));
      nextToken = response.body.nextToken as string | undefined;
      pages += 1;
    } while (nextToken && pages < 10);
    expect(seen).toEqual(['S-1', 'S-2', 'S-3', 'S-4', 'S-5']);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('rejects a nextToken forged to point into another tenant’s partition with 400', async () => {
    const a = await newTenant();
    const b = await newTenant();
    await put(a.admin, 'A-1', widget);
    await put(a.admin, 'A-2', widget);
    const forged = Buffer.from(
      JSON.stringify({ PK: catalogKeys.partition(a.tenantId), SK: 'SKU#A-1' }),
      'utf8',
    ).toString('base64url');
    const response = await list(b.member, { nextToken: forged });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('nextToken is invalid');
  });

  it('rejects a nextToken that is not a cursor with 400', async () => {
    const { member } = await newTenant();
    const response = await list(member, { nextToken: 'not-a-token' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('ValidationError');
  });

  it.each([['0'], ['101'], ['abc'], ['1.5'], ['-1']])('rejects limit=%s with 400', async (limit) => {
    const { member } = await newTenant();
    const response = await list(member, { limit });
    expect(response.status).toBe(400);
    expect(String(response.body.message)).toContain('limit');
  });

  it('rejects an unknown query parameter with 400', async () => {
    const { member } = await newTenant();
    const response = await list(member, { tenantId: 'tother' });
    expect(response.status).toBe(400);
    expect(String(response.body.message)).toContain('tenantId');
  });
});

describe('a corrupt stored catalog item', () => {
  /** Stores an item through the API, then overwrites attributes behind the service's back. */
  async function corruptItem(sku: string, change: Record<string, unknown>) {
    const tenant = await newTenant();
    await put(tenant.admin, sku, widget);
    const [stored] = await storedItems(tenant.tenantId);
    await documentClient.send(
      new PutCommand({ TableName: TEST_ENV.TABLE_NAME, Item: { ...stored, ...change } }),
    );
    return tenant;
  }

  it.each([
    ['a price stored as a string', { price: '1999' }],
    ['a public flag that is not a boolean (never read as false)', { public: 'yes' }],
    ['a missing currency', { currency: undefined }],
  ])('with %s answers GET /catalog/{sku} with 500 and the request id, logging its key', async (_, change) => {
    const { member, tenantId } = await corruptItem('BAD-1', change);
    const logged = jest.spyOn(logger, 'error');
    try {
      const response = await call(member, {
        method: 'GET',
        resource: '/catalog/{sku}',
        pathParameters: { sku: 'BAD-1' },
        requestId: 'req-corrupt-item',
      });
      expect(response).toEqual({
        status: 500,
        body: { code: 'InternalError', message: 'internal error', requestId: 'req-corrupt-item' },
      });
      expect(logged).toHaveBeenCalledWith(
        'unhandled error',
        expect.objectContaining({ entity: 'catalog item', key: catalogKeys.item(tenantId, 'BAD-1') }),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('fails the whole GET /catalog page with 500 instead of listing a defaulted item', async () => {
    const { admin, member } = await corruptItem('BAD-1', { price: null });
    await put(admin, 'GOOD-1', widget);
    const response = await call(member, {
      method: 'GET',
      resource: '/catalog',
      requestId: 'req-corrupt-list',
    });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      code: 'InternalError',
      message: 'internal error',
      requestId: 'req-corrupt-list',
    });
  });
});
