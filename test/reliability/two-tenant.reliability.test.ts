/**
 * Reliability tier: the synthesized app on the local cloud, driven as careless clients and a noisy neighbour
 * would — races, a fixed-size two-tenant soak, AWS's limits. Each test prints its figures, so a run shows them.
 */
import { ACME, type E2eCloud, GLOBEX, startE2eCloud } from '../support/e2e-cloud';

let e2e: E2eCloud;

beforeAll(async () => {
  e2e = await startE2eCloud();
}, 360_000); // synth and start: minutes on a loaded shared 2-core machine

afterAll(async () => {
  await e2e?.close();
});

interface Reply {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

interface OrderView {
  readonly orderId: string;
  readonly tenantId: string;
  readonly version: number;
  readonly status: string;
  readonly note?: string;
}

const statuses = new Map<string, Map<number, number>>();

function count(figure: string, status: number): void {
  const byStatus = statuses.get(figure) ?? new Map<number, number>();
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  statuses.set(figure, byStatus);
}

function figures(figure: string): string {
  const byStatus = statuses.get(figure) ?? new Map();
  const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
  const parts = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
  return `${total} requests (${parts.join(', ')})`;
}

async function call(
  figure: string,
  method: string,
  path: string,
  token: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(`${e2e.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  count(figure, response.status);
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: response.status, text, json };
}

/** A careful client: a 429 means "not done", so it waits and sends the same request again. */
async function callRetrying(...args: Parameters<typeof call>): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    const reply = await call(...args);
    if (reply.status !== 429 || attempt >= 40) return reply;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(width: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        const task = tasks[index];
        if (task) results[index] = await task();
      }
    }),
  );
  return results;
}

async function listAll(figure: string, token: string): Promise<OrderView[]> {
  const orders: OrderView[] = [];
  let nextToken: string | undefined;
  do {
    const query = `limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
    const reply = await callRetrying(figure, 'GET', `/orders?${query}`, token);
    expect(reply.status).toBe(200);
    orders.push(...((reply.json.items ?? []) as OrderView[]));
    nextToken = typeof reply.json.nextToken === 'string' ? reply.json.nextToken : undefined;
  } while (nextToken);
  return orders;
}

const newOrder = (note: string) => JSON.stringify({ items: [{ sku: 'WIDGET-1', quantity: 1 }], note });

describe('races', () => {
  it('lets exactly one of 8 parallel PATCHes of the same version win; the rest get 409', async () => {
    const token = e2e.idToken(GLOBEX, 'member');
    const created = await call('patch race', 'POST', '/orders', token, { body: newOrder('race') });
    expect(created.status).toBe(201);
    const { orderId, version } = created.json as unknown as OrderView;
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('patch race', 'PATCH', `/orders/${orderId}`, token, {
          body: JSON.stringify({ version, note: `writer ${i}` }),
        }),
      ),
    );
    const codes = replies.map((reply) => reply.status).sort();
    console.log(`PATCH race: ${figures('patch race')}`);
    expect(codes).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = replies.find((reply) => reply.status === 200)?.json.note;
    const stored = await call('patch race', 'GET', `/orders/${orderId}`, token);
    expect(stored.json).toMatchObject({ note: winner, version: version + 1 });
  });

  it('creates one order from 8 parallel POSTs with the same Idempotency-Key', async () => {
    const token = e2e.idToken(GLOBEX, 'member');
    const key = `reliability-${Date.now()}`;
    const note = `idempotent ${key}`;
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        call('idempotent race', 'POST', '/orders', token, {
          body: newOrder(note),
          headers: { 'idempotency-key': key },
        }),
      ),
    );
    console.log(`Idempotent POST race: ${figures('idempotent race')}`);
    for (const reply of replies) expect([200, 201, 409]).toContain(reply.status);
    const ids = new Set(replies.filter((r) => r.status < 300).map((r) => String(r.json.orderId)));
    expect(ids.size).toBe(1);
    const stored = (await listAll('idempotent race', token)).filter((order) => order.note === note);
    expect(stored.map((order) => order.orderId)).toEqual([...ids]);
  });
});

describe('a two-tenant soak with a fixed request count', () => {
  it('loses, invents and duplicates no order and never answers with the other tenant’s data', async () => {
    const run = `soak-${Date.now()}`;
    const tenants = [
      { tenant: ACME, token: e2e.idToken(ACME, 'member') },
      { tenant: GLOBEX, token: e2e.idToken(GLOBEX, 'member') },
    ];
    const CREATES = 25;
    const replies: Array<{ readonly tenant: string; readonly reply: Reply }> = [];
    const record = (tenant: string) => (reply: Reply) => {
      replies.push({ tenant, reply });
      return reply;
    };

    // Creates, interleaved across tenants.
    const acknowledged = new Map<string, Map<string, OrderView>>(
      tenants.map((t) => [t.tenant.slug, new Map()]),
    );
    await pool(
      4,
      tenants.flatMap(({ tenant, token }) =>
        Array.from({ length: CREATES }, (_, i) => async () => {
          const reply = record(tenant.slug)(
            await callRetrying('soak', 'POST', '/orders', token, {
              body: newOrder(`${run} ${tenant.slug} ${i}`),
            }),
          );
          expect(reply.status).toBe(201);
          const order = reply.json as unknown as OrderView;
          acknowledged.get(tenant.slug)?.set(order.orderId, order);
        }),
      ),
    );

    // Reads, lists, patches of every order and a cancel of every other one, interleaved across tenants.
    const expected = new Map<string, { status: string; note: string }>();
    await pool(
      4,
      tenants.flatMap(({ tenant, token }) =>
        [...(acknowledged.get(tenant.slug)?.values() ?? [])].map((order, i) => async () => {
          const path = `/orders/${order.orderId}`;
          const got = record(tenant.slug)(await callRetrying('soak', 'GET', path, token));
          expect(got.status).toBe(200);
          record(tenant.slug)(await callRetrying('soak', 'GET', '/orders?limit=5', token));
          const note = `${run} patched ${i}`;
          const patched = record(tenant.slug)(
            await callRetrying('soak', 'PATCH', path, token, {
              body: JSON.stringify({ version: order.version, note }),
            }),
          );
          expect(patched.status).toBe(200);
          let status = String(patched.json.status);
          if (i % 2 === 0) {
            const version = Number(patched.json.version);
            const cancelled = record(tenant.slug)(
              await callRetrying('soak', 'DELETE', `${path}?version=${version}`, token),
            );
            expect(cancelled.status).toBe(200);
            status = 'cancelled';
          }
          expected.set(order.orderId, { status, note });
        }),
      ),
    );

    let lost = 0;
    let phantom = 0;
    let duplicated = 0;
    let wrongState = 0;
    for (const { tenant, token } of tenants) {
      const mine = acknowledged.get(tenant.slug) ?? new Map<string, OrderView>();
      const listed = (await listAll('soak', token)).filter((order) => order.note?.startsWith(run));
      const ids = listed.map((order) => order.orderId);
      duplicated += ids.length - new Set(ids).size;
      phantom += ids.filter((id) => !mine.has(id)).length;
      lost += [...mine.keys()].filter((id) => !ids.includes(id)).length;
      for (const order of listed) {
        const want = expected.get(order.orderId);
        if (want?.status !== order.status || want.note !== order.note) wrongState++;
      }
    }
    // No reply to one tenant names an order or the tenant id of the other.
    let crossTenant = 0;
    for (const { tenant, reply } of replies) {
      for (const other of tenants.filter((t) => t.tenant.slug !== tenant)) {
        const theirs = [...(acknowledged.get(other.tenant.slug)?.values() ?? [])];
        const theirTenantId = theirs[0]?.tenantId ?? 'none';
        if (reply.text.includes(theirTenantId) || theirs.some((o) => reply.text.includes(o.orderId)))
          crossTenant++;
      }
    }
    console.log(
      `Soak: ${figures('soak')}; orders acknowledged ${CREATES * 2}, lost ${lost}, phantom ${phantom}, duplicated ${duplicated}, wrong state ${wrongState}, cross-tenant replies ${crossTenant}`,
    );
    expect({ lost, phantom, duplicated, wrongState, crossTenant }).toEqual({
      lost: 0,
      phantom: 0,
      duplicated: 0,
      wrongState: 0,
      crossTenant: 0,
    });
  }, 60_000);
});

describe('noisy neighbours', () => {
  it('throttles a tenant at its plan burst while the other, steady within its plan, gets no 429', async () => {
    // Let both tenants' buckets refill after the soak.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const noisy = e2e.idToken(ACME, 'member'); // basic: 10 rps, burst 20
    const steady = e2e.idToken(GLOBEX, 'member'); // premium: 100 rps, burst 200
    const burst = Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call('noisy', 'POST', '/orders', noisy, { body: newOrder(`noisy ${i}`) }),
      ),
    );
    const paced: Reply[] = [];
    for (let i = 0; i < 15; i++) {
      paced.push(await call('steady', 'POST', '/orders', steady, { body: newOrder(`steady ${i}`) }));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const noisyReplies = await burst;
    console.log(
      `Noisy tenant (basic, burst of 60): ${figures('noisy')}; steady tenant (premium, ~10 rps): ${figures('steady')}`,
    );
    expect(noisyReplies.filter((reply) => reply.status === 429).length).toBeGreaterThan(0);
    expect(paced.map((reply) => reply.status)).toEqual(paced.map(() => 201));
  });
});

describe('limits', () => {
  const order = (note: string) => JSON.stringify({ items: [{ sku: 'WIDGET-1', quantity: 1 }], note });

  it('refuses an 11 MB POST /orders with 413 before the handler, and a valid 7 MB one (whitespace) as over Lambda’s 6 MB', async () => {
    const token = e2e.idToken(GLOBEX, 'member');
    const before = e2e.invocations.length;
    const eleven = await call('limits', 'POST', '/orders', token, {
      body: order('x'.repeat(11 * 1024 * 1024)),
    });
    expect(eleven).toMatchObject({ status: 413, text: 'HTTP content length exceeded 10485760 bytes.' });
    const seven = await call('limits', 'POST', '/orders', token, {
      body: `${order('seven')}${' '.repeat(7 * 1024 * 1024)}`,
    });
    expect(seven.status).toBe(413);
    expect(seven.json).toMatchObject({ message: 'Request Too Long' });
    // Only the authorizer may have run; the orders function never did.
    expect(
      e2e.invocations.slice(before).filter((name) => /orders/i.test(name) && !/authori/i.test(name)),
    ).toEqual([]);
  });

  it('answers an invalid 5 MB body with a 400 whose message quotes a short prefix, not the body', async () => {
    const token = e2e.idToken(GLOBEX, 'member');
    const reply = await call('limits', 'POST', '/orders', token, {
      body: order('x'.repeat(5 * 1024 * 1024)),
    });
    console.log(`Limits: ${figures('limits')}; invalid 5 MB body answered in ${reply.text.length} bytes`);
    expect(reply.status).toBe(400);
    expect(reply.text.length).toBeLessThan(2048);
  });
});
