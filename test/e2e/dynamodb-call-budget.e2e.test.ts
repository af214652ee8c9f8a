/**
 * DynamoDB calls on a budget: the calls each route makes, read from the local cloud's request log (which matches a
 * function's SDK calls and an AWS integration's to the request by X-Ray trace root), held to the table below — so a
 * change that adds a call to a route fails here, not on the bill. A change that removes one updates the table.
 */
import type { RequestRecord } from 'cdk-local-cloud';
import { ACME, callApi, type E2eCloud, startE2eCloud } from '../support/e2e-cloud';

let e2e: E2eCloud;
beforeAll(async () => {
  e2e = await startE2eCloud();
}, 120_000);
afterAll(async () => {
  await e2e?.close();
});

/** Each route's DynamoDB operations, sorted; the authorizer's own calls are counted on the request it ran for. */
const BUDGET = {
  // Lambda authorizer, cache miss: the tenant's profile and the user's membership.
  'GET /orders (authorizer cache miss)': ['GetItem', 'GetItem', 'Query'],
  'GET /orders (authorizer cache hit)': ['Query'],
  // The key's first-run claim, Powertools' in-progress record and its completion, the SKUs' prices, the tracking
  // pointer, the order (two puts, no transaction: see putNewOrder).
  'POST /orders': ['BatchGetItem', 'PutItem', 'PutItem', 'PutItem', 'PutItem', 'UpdateItem'],
  'GET /orders/{orderId}': ['GetItem'],
  'PATCH /orders/{orderId}': ['UpdateItem'],
  // Cognito-authorized and cached per tenant: the tenant's status, then its items; a stage-cache hit calls nothing.
  'GET /catalog (stage cache miss)': ['GetItem', 'Query'],
  'GET /catalog (stage cache hit)': [],
  // No Lambda: the AWS integration writes the event itself.
  'POST /events': ['PutItem'],
  'GET /jobs': ['Query'],
  'GET /usage': ['GetItem'],
  'GET /me (HTTP API)': ['GetItem'],
  // The slug's tenant, its status (a suspended tenant's storefront is unknown), its items.
  'GET /public/{slug}/catalog (HTTP API)': ['GetItem', 'GetItem', 'Query'],
  // The tracking pointer, its tenant's status (a suspended tenant's orders are unknown), the order.
  'GET /public/track/{trackingId} (HTTP API)': ['GetItem', 'GetItem', 'GetItem'],
} as const;

const spent: Record<string, readonly string[]> = {};

/** Runs one request and books the DynamoDB operations its record lists under `route`. */
async function book(
  route: keyof typeof BUDGET,
  call: () => Promise<{ status: number; body: Record<string, unknown> }>,
) {
  const before = e2e.requests.length;
  const reply = await call();
  expect(reply.status).toBeLessThan(300);
  const records: RequestRecord[] = e2e.requests.slice(before);
  expect(records).toHaveLength(1);
  spent[route] = (records[0]?.calls ?? [])
    .filter((c) => c.service === 'dynamodb')
    .map((c) => c.operation)
    .sort();
  return reply;
}

describe('DynamoDB calls per route', () => {
  it('stays within the budget on every route of the three APIs', async () => {
    const token = `Bearer ${e2e.idToken(ACME, 'member')}`;
    const acme = e2e.seeded.find((s) => s.tenant.name === ACME.name);
    if (!acme) throw new Error('ACME was not seeded');
    const rest = (method: string, path: string, init: Parameters<typeof callApi>[2] = {}) =>
      callApi(`${e2e.apiUrl}${path}`, method, { authorization: token, ...init });

    await book('GET /orders (authorizer cache miss)', () => rest('GET', '/orders?limit=20'));
    await book('GET /orders (authorizer cache hit)', () => rest('GET', '/orders?limit=20'));
    const placed = await book('POST /orders', () =>
      rest('POST', '/orders', {
        headers: { 'idempotency-key': 'budget-1' },
        body: { items: [{ sku: 'WIDGET-1', quantity: 1 }] },
      }),
    );
    const orderId = String(placed.body.orderId);
    const order = await book('GET /orders/{orderId}', () => rest('GET', `/orders/${orderId}`));
    await book('PATCH /orders/{orderId}', () =>
      rest('PATCH', `/orders/${orderId}`, { body: { version: order.body.version, note: 'budgeted' } }),
    );
    await book('GET /catalog (stage cache miss)', () => rest('GET', '/catalog'));
    await book('GET /catalog (stage cache hit)', () => rest('GET', '/catalog'));
    await book('POST /events', () =>
      rest('POST', '/events', { body: { orderId, type: 'shipped', occurredAt: '2026-01-02T10:00:00Z' } }),
    );
    await book('GET /jobs', () => rest('GET', '/jobs?limit=20'));
    await book('GET /usage', () => rest('GET', '/usage'));
    await book('GET /me (HTTP API)', () =>
      callApi(`${e2e.publicApiUrl}/me`, 'GET', { authorization: token }),
    );
    await book('GET /public/{slug}/catalog (HTTP API)', () =>
      callApi(`${e2e.publicApiUrl}/public/${acme.slug}/catalog`, 'GET'),
    );
    await book('GET /public/track/{trackingId} (HTTP API)', () =>
      callApi(`${e2e.publicApiUrl}/public/track/${acme.trackingId}`, 'GET'),
    );

    expect(spent).toEqual(BUDGET);
  });
});
