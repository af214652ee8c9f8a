/**
 * End to end: the public HTTP API of the synthesized app, served by the local cloud and called over real HTTP
 * as a storefront, a tracking page and the SPA would. One cloud per suite.
 */
import { signJwt } from 'cdk-local-cloud/testing';
import { awsEvent } from '../../local/test/support/aws-events';
import { ACME, type E2eCloud, GLOBEX, startE2eCloud } from '../support/e2e-cloud';

let e2e: E2eCloud;

beforeAll(async () => {
  e2e = await startE2eCloud();
}, 120_000);

afterAll(async () => {
  await e2e?.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${e2e.publicApiUrl}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const seededOf = (name: string) => {
  const found = e2e.seeded.find((s) => s.tenant.name === name);
  if (!found) throw new Error(`${name} was not seeded`);
  return found;
};

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe('public catalog', () => {
  it.each([ACME, GLOBEX])(
    'shows $name’s public items only, with public fields only, cacheable',
    async (tenant) => {
      const { slug } = seededOf(tenant.name);
      const reply = await get(`/public/${slug}/catalog`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toMatch(/^public, max-age=60/);
      expect(reply.body).toEqual({
        items: [
          { sku: 'GADGET-2', name: 'Gadget', price: 4999, currency: 'EUR' },
          { sku: 'WIDGET-1', name: 'Widget', price: 1250, currency: 'EUR' },
        ],
      });
    },
  );

  it('gives the demo tenants slugs derived from their names', () => {
    expect(e2e.seeded.map((s) => s.slug)).toEqual(['acme-corp', 'globex']);
  });

  it('answers an unknown slug with 404', async () => {
    const reply = await get('/public/initech/catalog');
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ code: 'NotFound', message: 'no public catalog at this address' });
  });
});

describe('order tracking', () => {
  it('shows a seeded order’s status and timeline, and nothing else', async () => {
    const { trackingId } = seededOf(ACME.name);
    const reply = await get(`/public/track/${trackingId}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'pending', timeline: [] });
  });

  it('answers an unknown and a malformed tracking id with the same 404', async () => {
    const unknown = await get('/public/track/AAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await get(`/public/track/${encodeURIComponent('..%2F..%2Fme')}`);
    expect([unknown.status, malformed.status]).toEqual([404, 404]);
    const { requestId: _a, ...a } = unknown.body;
    const { requestId: _b, ...b } = malformed.body;
    expect(a).toEqual(b);
  });
});

describe('GET /me behind the JWT authorizer', () => {
  it('answers the caller’s tenant, role and tier for a valid ID token', async () => {
    const token = e2e.idToken(GLOBEX, 'member');
    const reply = await get('/me', { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      userId: claimsOf(token).sub,
      tenantId: seededOf(GLOBEX.name).tenantId,
      tenantName: 'Globex',
      role: 'member',
      tier: 'premium',
    });
  });

  it('refuses an expired token at the gateway with 401', async () => {
    const claims = claimsOf(e2e.idToken(ACME, 'member'));
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = signJwt(
      { ...claims, iat: anHourAgo - 3600, auth_time: anHourAgo - 3600, exp: anHourAgo },
      e2e.cloud.identity.pool(e2e.userPoolId).signingKey,
    );
    const reply = await get('/me', { authorization: `Bearer ${expired}` });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ message: 'Unauthorized' });
    expect(reply.headers.get('www-authenticate')).toMatch(/expired/);
  });

  it('refuses a token for another audience at the gateway with 401', async () => {
    const claims = claimsOf(e2e.idToken(ACME, 'admin'));
    const foreign = signJwt(
      { ...claims, aud: 'another-app-client' },
      e2e.cloud.identity.pool(e2e.userPoolId).signingKey,
    );
    const reply = await get('/me', { authorization: `Bearer ${foreign}` });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toMatch(/audience/);
  });

  it('refuses a request with no token with 401', async () => {
    expect((await get('/me')).status).toBe(401);
  });
});

describe('CORS at the gateway', () => {
  const preflight = (origin: string) =>
    fetch(`${e2e.publicApiUrl}/me`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

  it('answers a preflight from an allowed origin with that origin and the allowed method and header', async () => {
    const response = await preflight('http://localhost:5173');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-methods')).toMatch(/GET/);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization/);
  });

  it('gives a preflight from another origin no CORS headers', async () => {
    const response = await preflight('https://evil.example.com');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('adds the allow-origin header to an allowed origin’s catalog response', async () => {
    const reply = await get(`/public/${seededOf(ACME.name).slug}/catalog`, {
      origin: 'http://localhost:3000',
    });
    expect(reply.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });
});

/** Every key path of a JSON value with the type at it, e.g. `requestContext.http.method: string`. */
function shape(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [`${prefix}: ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`];
  }
  return Object.entries(value).flatMap(([key, inner]) => shape(inner, prefix ? `${prefix}.${key}` : key));
}

/** Entries whose names differ per request (headers, claims, parameters): their presence is what matters. */
const perRequest =
  /^(headers|queryStringParameters|pathParameters|cookies|requestContext\.authorizer\.jwt\.claims)\b/;

describe('events handed to the public functions', () => {
  const lastEventOf = (fragment: string) =>
    [...e2e.events].reverse().find((e) => e.functionArn.includes(fragment))?.event;

  it('hands the catalog function a payload 2.0 event with the keys and types of AWS’s capture', async () => {
    await get(`/public/${seededOf(ACME.name).slug}/catalog?limit=5`);
    const ours = shape(lastEventOf('PublicCatalog')).filter((entry) => !perRequest.test(entry));
    // The published no-auth capture repeats the Lambda-authorizer one (`authorizer.lambda: null`); AWS's docs and
    // the local HTTP API leave `authorizer` out of a route without one (see local-http-payload-event.test.ts).
    const aws = shape(awsEvent('apigw-http_no-auth.json'))
      .filter((entry) => !entry.startsWith('requestContext.authorizer'))
      .filter((entry) => !perRequest.test(entry) && !entry.startsWith('body'));
    expect(ours.sort()).toEqual(
      [...aws, 'pathParameters', 'queryStringParameters'].filter((e) => !perRequest.test(e)).sort(),
    );
  });

  it('hands the /me function the JWT claims as AWS’s capture does', async () => {
    await get('/me', { authorization: `Bearer ${e2e.idToken(ACME, 'member')}` });
    const event = lastEventOf('PublicMe') as {
      requestContext: { authorizer: { jwt: { claims: Record<string, unknown> } } };
    };
    const ours = shape(event).filter((entry) => !perRequest.test(entry));
    const aws = shape(awsEvent('apigw-http_jwt-authorizer-auth.json')).filter(
      (entry) => !perRequest.test(entry),
    );
    expect(ours.sort()).toEqual(aws.sort());
    for (const value of Object.values(event.requestContext.authorizer.jwt.claims))
      expect(typeof value).toBe('string');
  });
});
