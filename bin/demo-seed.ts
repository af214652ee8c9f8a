import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS, type LocalCloud } from 'cdk-local-cloud';
import type { Role } from '../shared/role';
import type { Tier } from '../shared/tier';

/** A demo tenant: onboarded through the real API, then given a member, a catalog and a few orders. */
export interface DemoTenant {
  readonly name: string;
  readonly tier: Tier;
  readonly slug: string;
}

export const DEMO_TENANTS: readonly DemoTenant[] = [
  { name: 'Acme Corp', tier: 'basic', slug: 'acme' },
  { name: 'Globex', tier: 'premium', slug: 'globex' },
];

/** The demo users' usernames, so `npm run token -- --tenant acme --user member` can find them. */
export const demoUsername = (tenant: DemoTenant, user: Role) => `${user}@${tenant.slug}.example.com`;

const CATALOG = [
  { sku: 'WIDGET-1', name: 'Widget', price: 1250, currency: 'EUR', public: true },
  { sku: 'GADGET-2', name: 'Gadget', price: 4999, currency: 'EUR', public: true },
  { sku: 'GIZMO-3', name: 'Gizmo (internal)', price: 300, currency: 'EUR', public: false },
];

export interface SeedContext {
  readonly apiUrl: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The local identity's endpoint; none for a deployed pool (the SDK's regional one). */
  readonly cognitoEndpoint?: string | undefined;
  readonly userPoolId: string;
  /** ID token of a user, as the SPA would have it after sign-in. */
  idToken(username: string): string | Promise<string>;
}

/** What a client of the running local cloud needs: the REST API, the public HTTP API, the user pool and fresh tokens. */
export interface DemoSession {
  readonly apiUrl: string;
  /** The public HTTP API (storefront, tracking, `/me`), served on its `$default` stage. */
  readonly publicApiUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  idToken(username: string): string;
}

/** The app's REST API and user pool in the running local cloud, with a token minter for its users. */
export function demoSession(cloud: LocalCloud): DemoSession {
  const pool = cloud.model.resources.find((r) => r.type === 'AWS::Cognito::UserPool');
  const client = cloud.model.resources.find((r) => r.type === 'AWS::Cognito::UserPoolClient');
  const api = cloud.restApis[0];
  const publicApi = cloud.endpoints.find((endpoint) => endpoint.kind === 'HTTP API');
  if (!pool || !client || !api || !publicApi) {
    throw new Error('the template has no user pool, app client, REST API or HTTP API');
  }
  const userPoolId = pool.physicalId;
  const clientId = client.physicalId;
  return {
    apiUrl: api.url,
    publicApiUrl: publicApi.url,
    userPoolId,
    clientId,
    idToken: (username) => cloud.identity.mintTokens({ userPoolId, clientId, username }).idToken,
  };
}

/** A seeded demo tenant as onboarding named it, with the tracking id of its newest order. */
export interface SeededTenant {
  readonly tenant: DemoTenant;
  readonly tenantId: string;
  /** The public slug onboarding gave it (`/public/{slug}/catalog`). */
  readonly slug: string;
  /** The tracking id of its newest order (`/public/track/{trackingId}`). */
  readonly trackingId: string;
}

/** Seeds the demo tenants into a running local cloud (see {@link seedDemo}). */
export function seedLocalCloud(
  cloud: LocalCloud,
  session: DemoSession = demoSession(cloud),
): Promise<SeededTenant[]> {
  return seedDemo({
    apiUrl: session.apiUrl,
    region: cloud.model.region,
    credentials: LOCAL_CREDENTIALS,
    cognitoEndpoint: cloud.identity.endpoint,
    userPoolId: session.userPoolId,
    idToken: session.idToken,
  });
}

async function call(
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: unknown } = {},
) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url} → ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Headers of a SigV4 (execute-api) signature over a JSON POST of exactly `payload` to `url`. */
export async function sigV4Headers(
  url: string,
  payload: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<Record<string, string>> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    headers: { host: target.host, 'content-type': 'application/json' },
    body: payload,
  });
  return signed.headers as Record<string, string>;
}

async function signedPost(ctx: SeedContext, url: string, body: unknown) {
  const headers = await sigV4Headers(url, JSON.stringify(body), ctx.region, ctx.credentials);
  return call('POST', url, { headers, body });
}

/**
 * Seeds the demo through the product's own front door: onboarding with a SigV4-signed POST /tenants, the member
 * invited by the admin with POST /users, catalog items via PUT /catalog as the admin, and orders via POST /orders.
 * Safe to run again (with --persist): every step is idempotent. Most of the time is functions starting cold, and
 * two concurrent calls to one function start two workers: so the first tenant's catalog PUTs and its first
 * orders GET start the catalog and orders functions together while the other tenants are onboarded, and
 * everything after that is one call at a time, on warm workers.
 */
export async function seedDemo(ctx: SeedContext): Promise<SeededTenant[]> {
  const [first, ...others] = DEMO_TENANTS;
  if (first === undefined) return [];
  const leader = await onboard(ctx, first);
  const followers: OnboardedTenant[] = [];
  const [existing] = await Promise.all([
    newestOrder(ctx, leader),
    stockCatalog(ctx, leader),
    (async () => {
      for (const tenant of others) followers.push(await onboard(ctx, tenant));
    })(),
  ]);
  const seeded = [await placeOrders(ctx, leader, existing)];
  for (const follower of followers) {
    await stockCatalog(ctx, follower);
    seeded.push(await placeOrders(ctx, follower, await newestOrder(ctx, follower)));
  }
  return seeded;
}

/** A tenant once onboarded, with its member in the pool. */
interface OnboardedTenant {
  readonly tenant: DemoTenant;
  readonly tenantId: string;
  readonly slug: string;
  readonly adminToken: string;
  readonly memberToken: string;
}

/** Onboards a tenant (its admin comes with it), whose admin invites its member. */
async function onboard(ctx: SeedContext, tenant: DemoTenant): Promise<OnboardedTenant> {
  const created = await signedPost(ctx, `${ctx.apiUrl}/tenants`, {
    name: tenant.name,
    tier: tenant.tier,
    adminEmail: demoUsername(tenant, 'admin'),
  });
  const tenantId = String(created.tenantId);
  const member = demoUsername(tenant, 'member');
  const adminToken = await ctx.idToken(demoUsername(tenant, 'admin'));
  await inviteMember(ctx, adminToken, member);
  return {
    tenant,
    tenantId,
    slug: String(created.slug),
    adminToken,
    memberToken: await ctx.idToken(member),
  };
}

/** The catalog, one PUT at a time (one warm worker serves them all). */
async function stockCatalog(ctx: SeedContext, seeded: OnboardedTenant): Promise<void> {
  for (const { sku, ...item } of CATALOG) {
    await call('PUT', `${ctx.apiUrl}/catalog/${sku}`, {
      headers: { authorization: seeded.adminToken },
      body: item,
    });
  }
}

/** The tenant's newest order, as its member lists it. */
async function newestOrder(
  ctx: SeedContext,
  seeded: OnboardedTenant,
): Promise<{ trackingId?: unknown } | undefined> {
  const page = await call('GET', `${ctx.apiUrl}/orders?limit=1`, {
    headers: { authorization: `Bearer ${seeded.memberToken}` },
  });
  return (page.items as Array<{ trackingId?: unknown }> | undefined)?.[0];
}

/** Three orders as the member, unless a previous seed placed them; resolves with the newest one's tracking id. */
async function placeOrders(
  ctx: SeedContext,
  seeded: OnboardedTenant,
  existing: { trackingId?: unknown } | undefined,
): Promise<SeededTenant> {
  if (existing === undefined) {
    const orders = [
      [{ sku: 'WIDGET-1', quantity: 2 }],
      [
        { sku: 'GADGET-2', quantity: 1 },
        { sku: 'WIDGET-1', quantity: 4 },
      ],
      [{ sku: 'GIZMO-3', quantity: 10 }],
    ];
    for (const [index, items] of orders.entries()) {
      await call('POST', `${ctx.apiUrl}/orders`, {
        headers: {
          authorization: `Bearer ${seeded.memberToken}`,
          'idempotency-key': `demo-seed-${seeded.tenant.slug}-${index}`,
        },
        body: { items, note: `demo order ${index + 1}` },
      });
    }
  }
  const trackingId = (await newestOrder(ctx, seeded))?.trackingId;
  if (typeof trackingId !== 'string') throw new Error(`${seeded.tenant.name} has no order to track`);
  return { tenant: seeded.tenant, tenantId: seeded.tenantId, slug: seeded.slug, trackingId };
}

/**
 * The tenant's member, invited by its admin through `POST /users` (the tenant's directory and the pool both get
 * it). A member a previous seed invited (under --persist) answers 409 "already a user": nothing to do.
 */
async function inviteMember(ctx: SeedContext, adminToken: string, member: string): Promise<void> {
  const response = await fetch(`${ctx.apiUrl}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ email: member, role: 'member' }),
  });
  const text = await response.text();
  if (response.status === 409 && text.includes('already a user of this tenant')) return;
  if (response.status >= 300) throw new Error(`POST ${ctx.apiUrl}/users → ${response.status} ${text}`);
}
