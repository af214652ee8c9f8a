/**
 * End to end: the synthesized app served by the local cloud, driven over real HTTP on 127.0.0.1 the way a
 * browser, an operator script or an attacker would. One cloud per suite (synth + start + seed take ~15 s).
 */

import { signJwt } from 'cdk-local-cloud/testing';
import { generateKeyPair, SignJWT } from 'jose';
import { awsEvent } from '../../local/test/support/aws-events';
import {
  ACME,
  type ApiReply,
  callApi,
  type E2eCloud,
  GLOBEX,
  sigV4Headers,
  startE2eCloud,
} from '../support/e2e-cloud';

let e2e: E2eCloud;

beforeAll(async () => {
  e2e = await startE2eCloud();
}, 120_000);

afterAll(async () => {
  await e2e?.close();
});

type Reply = ApiReply;

/** One HTTP call to the REST API; `token` goes into Authorization as is (callers add "Bearer " if they want it). */
function api(
  method: string,
  path: string,
  init: { token?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<Reply> {
  const { token, ...rest } = init;
  return callApi(`${e2e.apiUrl}${path}`, method, { ...rest, authorization: token });
}

const bearer = (token: string) => `Bearer ${token}`;

interface OrderView {
  readonly orderId: string;
  readonly version: number;
  readonly status: string;
}

async function listOrders(token: string): Promise<OrderView[]> {
  const reply = await api('GET', '/orders', { token: bearer(token) });
  expect(reply.status).toBe(200);
  return reply.body.items as OrderView[];
}

/** The claims of a JWT, decoded without verification (they are ours). */
function claimsOf(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
}

describe('orders are partitioned by tenant', () => {
  it('lists only the caller tenant’s three seeded orders, for each tenant', async () => {
    const acme = await listOrders(e2e.idToken(ACME, 'member'));
    const globex = await listOrders(e2e.idToken(GLOBEX, 'member'));

    expect(acme).toHaveLength(3);
    expect(globex).toHaveLength(3);
    const acmeIds = new Set(acme.map((o) => o.orderId));
    expect(globex.some((o) => acmeIds.has(o.orderId))).toBe(false);
  });

  it('answers 404 to GET, PATCH and DELETE of another tenant’s order, and leaves it untouched', async () => {
    const acmeToken = e2e.idToken(ACME, 'member');
    const globexToken = bearer(e2e.idToken(GLOBEX, 'member'));
    const [target] = await listOrders(acmeToken);
    if (!target) throw new Error('acme has no orders');
    const path = `/orders/${target.orderId}`;

    const read = await api('GET', path, { token: globexToken });
    const patch = await api('PATCH', path, {
      token: globexToken,
      body: { version: target.version, note: 'hijacked' },
    });
    const cancel = await api('DELETE', path, { token: globexToken });

    expect([read.status, patch.status, cancel.status]).toEqual([404, 404, 404]);
    const own = await api('GET', path, { token: bearer(acmeToken) });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      orderId: target.orderId,
      version: target.version,
      status: target.status,
    });
    expect(own.body.note).not.toBe('hijacked');
  });
});

/** Every key path of a JSON value with the type at it, e.g. `requestContext.identity.sourceIp: string`. */
function shape(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [`${prefix}: ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`];
  }
  return Object.entries(value).flatMap(([key, inner]) => shape(inner, prefix ? `${prefix}.${key}` : key));
}

describe('events handed to functions', () => {
  const capture = (name: string) => awsEvent(name);

  it('hands the orders function a proxy event with the keys and types of an AWS capture', async () => {
    const response = await fetch(`${e2e.apiUrl}/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV?x=1`, {
      headers: { authorization: bearer(e2e.idToken(ACME, 'member')) },
    });
    expect(response.status).toBe(404);
    const last = [...e2e.events].reverse().find((e) => e.functionArn.includes('Orders'));
    const ours = new Set(shape(last?.event));
    const aws = shape(capture('apigw-rest_lambda-authorizer-auth.json')).filter(
      // Header names, query names and authorizer context keys differ per request; their presence is what matters.
      (entry) =>
        !/^(headers|multiValueHeaders|queryStringParameters|multiValueQueryStringParameters|pathParameters|stageVariables|body)\b/.test(
          entry,
        ) &&
        !entry.startsWith('requestContext.authorizer.') &&
        !entry.startsWith('requestContext.identity.'),
    );
    expect(aws.filter((entry) => !ours.has(entry))).toEqual([]);
  });

  it('hands the TOKEN authorizer exactly the event shape of an AWS capture', async () => {
    await fetch(`${e2e.apiUrl}/orders?limit=2`, {
      headers: { authorization: bearer(e2e.idToken(GLOBEX, 'admin')) },
    });
    const tokenEvents = e2e.events.filter((e) => (e.event as { type?: string }).type === 'TOKEN');
    expect(tokenEvents.length).toBeGreaterThan(0);
    expect(shape(tokenEvents.at(-1)?.event).sort()).toEqual(
      shape(capture('apigw-rest_authorizer-token.json')).sort(),
    );
  });
});

describe('authentication', () => {
  it('rejects a request without Authorization with 401', async () => {
    const reply = await api('GET', '/orders');
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('UNAUTHORIZED');
  });

  it('rejects a malformed Authorization header with 401', async () => {
    const reply = await api('GET', '/orders', { token: 'Basic x' });
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('UNAUTHORIZED');
  });

  it.each(['bearer', 'BEARER'])(
    'takes the scheme written %s on the Lambda-authorized and the Cognito-authorized routes alike',
    async (scheme) => {
      const token = `${scheme} ${e2e.idToken(ACME, 'member')}`;
      expect((await api('GET', '/orders', { token })).status).toBe(200);
      expect((await api('GET', '/catalog', { token })).status).toBe(200);
    },
  );

  it('rejects a Cognito-shaped token signed by another key with 401', async () => {
    const genuine = e2e.idToken(ACME, 'member');
    const header = JSON.parse(Buffer.from(genuine.split('.')[0] ?? '', 'base64url').toString()) as {
      kid: string;
    };
    const { privateKey } = await generateKeyPair('RS256');
    // Same claims and even the same kid as a real token: only the signature gives it away.
    const forged = await new SignJWT(claimsOf(genuine))
      .setProtectedHeader({ alg: 'RS256', kid: header.kid })
      .sign(privateKey);

    const reply = await api('GET', '/orders', { token: bearer(forged) });
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('UNAUTHORIZED');
  });

  it('rejects an expired token signed by the pool’s own key with 401', async () => {
    const claims = claimsOf(e2e.idToken(ACME, 'member'));
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = signJwt(
      { ...claims, iat: anHourAgo - 3600, auth_time: anHourAgo - 3600, exp: anHourAgo },
      e2e.cloud.identity.pool(e2e.userPoolId).signingKey,
    );

    const reply = await api('GET', '/orders', { token: bearer(expired) });
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('UNAUTHORIZED');
  });

  it('rejects a catalog read without a token with 401', async () => {
    const reply = await api('GET', '/catalog');
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('UNAUTHORIZED');
  });
});

describe('request validation at the gateway', () => {
  it('rejects an order with an unknown property with 400 BAD_REQUEST_BODY without invoking the orders function', async () => {
    const ordersFunction = e2e.cloud.model.resources.find(
      (r) => r.type === 'AWS::Lambda::Function' && r.logicalId.startsWith('OrdersHandlerFunction'),
    );
    if (!ordersFunction) throw new Error('no orders function in the template');
    const token = e2e.idToken(ACME, 'member');
    const ordersBefore = (await listOrders(token)).length;
    const invocationsBefore = e2e.invocations.filter((name) => name === ordersFunction.physicalId).length;
    // The listing above ran the orders function, so the log-based counter does see its invocations.
    expect(invocationsBefore).toBeGreaterThan(0);

    const reply = await api('POST', '/orders', {
      token: bearer(token),
      headers: { 'idempotency-key': 'e2e-unknown-property' },
      body: { items: [{ sku: 'WIDGET-1', quantity: 1 }], discount: 100 },
    });

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('BAD_REQUEST_BODY');
    expect(String(reply.body.message)).toMatch(/discount/);
    expect(e2e.invocations.filter((name) => name === ordersFunction.physicalId)).toHaveLength(
      invocationsBefore,
    );
    expect(await listOrders(token)).toHaveLength(ordersBefore);
  });
});

describe('catalog', () => {
  it('forbids a member from writing the catalog with 403', async () => {
    const reply = await api('PUT', '/catalog/E2E-MEMBER', {
      token: e2e.idToken(ACME, 'member'),
      body: { name: 'Nope', price: 100, currency: 'EUR', public: true },
    });
    expect(reply.status).toBe(403);
  });

  it('lets an admin create (201) and replace (200) an item that members can then read', async () => {
    const admin = e2e.idToken(ACME, 'admin');
    const item = { name: 'Sprocket', price: 725, currency: 'EUR', public: true };

    const created = await api('PUT', '/catalog/E2E-SPROCKET', { token: admin, body: item });
    const replaced = await api('PUT', '/catalog/E2E-SPROCKET', {
      token: admin,
      body: { ...item, price: 800 },
    });
    const read = await api('GET', '/catalog/E2E-SPROCKET', { token: e2e.idToken(ACME, 'member') });

    expect(created.status).toBe(201);
    expect(replaced.status).toBe(200);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ sku: 'E2E-SPROCKET', name: 'Sprocket', price: 800 });
  });
});

describe('the cached catalog (stage cache, on in every stage)', () => {
  const SKU = 'E2E-CACHED';
  const path = `/catalog/${SKU}`;
  /** The stage-cache outcome of the newest request to `path`, from the local cloud's request records. */
  const lastStageCache = () =>
    e2e.requests.filter((r) => r.kind === 'REST API' && r.path.endsWith(path)).at(-1)?.stageCache;

  it('serves a caller’s second GET within the TTL from the cache, another caller’s first from the function, and an admin edit flushes it', async () => {
    const admin = e2e.idToken(ACME, 'admin');
    // One token string is one caller: the cache key holds the Authorization header.
    const reader = bearer(e2e.idToken(ACME, 'member'));
    const item = { name: 'Cached', price: 100, currency: 'EUR', public: true };
    expect((await api('PUT', path, { token: admin, body: item })).status).toBe(201);

    const first = await api('GET', path, { token: reader });
    expect(first.body).toMatchObject({ price: 100 });
    expect(lastStageCache()).toBe('miss');
    const second = await api('GET', path, { token: reader });
    expect(lastStageCache()).toBe('hit');
    expect(second.body).toEqual(first.body);
    // The hit never reached the function.
    expect(
      e2e.requests.filter((r) => r.kind === 'REST API' && r.path.endsWith(path)).at(-1)?.functions,
    ).toEqual([]);

    const another = await api('GET', path, { token: bearer(admin) });
    expect(another.status).toBe(200);
    expect(lastStageCache()).toBe('miss');

    // The admin's edit flushes the stage (FlushStageCache with the function's own role): the reader's next GET is a
    // miss that sees it, within the TTL.
    expect((await api('PUT', path, { token: admin, body: { ...item, price: 250 } })).status).toBe(200);
    const afterEdit = await api('GET', path, { token: reader });
    expect(lastStageCache()).toBe('miss');
    expect(afterEdit.body).toMatchObject({ price: 250 });
    expect((await api('GET', path, { token: reader })).body).toMatchObject({ price: 250 });
    expect(lastStageCache()).toBe('hit');
  });

  it('answers a Cognito caller’s Cache-Control: max-age=0 from the cache: it may not invalidate', async () => {
    const reader = bearer(e2e.idToken(GLOBEX, 'member'));
    await api('GET', '/catalog', { token: reader });
    const refetch = await api('GET', '/catalog', {
      token: reader,
      headers: { 'cache-control': 'max-age=0' },
    });
    expect(refetch.status).toBe(200);
    const record = e2e.requests.filter((r) => r.kind === 'REST API' && r.path.endsWith('/catalog')).at(-1);
    expect(record?.stageCache).toBe('hit');
  });
});

describe('CORS preflight', () => {
  const preflight = (origin: string) =>
    fetch(`${e2e.apiUrl}/orders`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('echoes an allowed origin', async () => {
    const response = await preflight('http://localhost:5173');
    await response.text();
    expect([200, 204]).toContain(response.status);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it("allows the SigV4 headers the console's operator page signs /tenants calls with", async () => {
    const response = await fetch(`${e2e.apiUrl}/tenants/t0000000000000000/suspend`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'authorization,x-amz-content-sha256,x-amz-date,x-amz-security-token',
      },
    });
    await response.text();
    expect([200, 204]).toContain(response.status);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
    for (const header of ['authorization', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'])
      expect(allowed).toContain(header);
  });

  it('does not allow a foreign origin', async () => {
    const response = await preflight('https://evil.example');
    await response.text();
    expect(response.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).not.toBe('*');
  });
});

describe('tenant onboarding (IAM-authorized)', () => {
  const tenantsUrl = () => `${e2e.apiUrl}/tenants`;
  const region = () => e2e.cloud.model.region;

  /**
   * POST /tenants is throttled to 1 request/s (burst 2) and the seed has just spent the burst, so, like an SDK
   * client, back off and resend on 429 until the bucket has refilled.
   */
  async function postTenants(headers: Record<string, string>, body: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(tenantsUrl(), { method: 'POST', headers, body });
      if (response.status !== 429 || attempt === 10) return response;
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
  }

  it('creates a new tenant with 201 and answers a replay of the same signed request with 200', async () => {
    const payload = JSON.stringify({
      name: 'Initech',
      tier: 'basic',
      adminEmail: 'admin@initech.example.com',
    });
    const headers = await sigV4Headers(tenantsUrl(), payload, region());

    const first = await postTenants(headers, payload);
    const firstBody = (await first.json()) as Record<string, unknown>;
    const replay = await postTenants(headers, payload);
    const replayBody = (await replay.json()) as Record<string, unknown>;

    expect(first.status).toBe(201);
    expect(replay.status).toBe(200);
    expect(typeof firstBody.tenantId).toBe('string');
    expect(replayBody.tenantId).toBe(firstBody.tenantId);
  });

  it('rejects an unsigned request with 403', async () => {
    const response = await postTenants(
      { 'content-type': 'application/json' },
      JSON.stringify({ name: 'Unsigned Inc', tier: 'basic', adminEmail: 'admin@unsigned.example.com' }),
    );
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(403);
    expect(body.code).toBe('MISSING_AUTHENTICATION_TOKEN');
  });

  it('rejects a signed request whose body was changed after signing with 403', async () => {
    const signedPayload = JSON.stringify({
      name: 'Honest Ltd',
      tier: 'basic',
      adminEmail: 'admin@honest.example.com',
    });
    const headers = await sigV4Headers(tenantsUrl(), signedPayload, region());
    const tampered = signedPayload.replace('basic', 'premium');

    const response = await postTenants(headers, tampered);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(403);
    expect(body.code).toBe('INVALID_SIGNATURE');
  });
});
