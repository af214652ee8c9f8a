/**
 * End to end on the local cloud, through the REST API and its Lambda authorizer: a tenant admin manages its own
 * users (the seeded member was invited by the seed through POST /users), members cannot, another tenant's user is not
 * found, the last admin stays, a disabled or deleted user's token already in use is refused at once (the authorizer's
 * cache is flushed), an admin reads its own tenant's audit trail (GET /audit), and GET /usage answers numbers that move with the tenant's requests; an operator sees the same
 * usage with GET /tenants/{id}, and a tier change (PATCH /tenants/{id}) carries the period's usage to the new plan.
 */
import { ACME, callApi, type E2eCloud, GLOBEX, operatorCall, startE2eCloud } from '../support/e2e-cloud';

let e2e: E2eCloud;
beforeAll(async () => {
  e2e = await startE2eCloud();
}, 600_000);
afterAll(async () => {
  await e2e?.close();
});

const bearer = (token: string) => `Bearer ${token}`;
const admin = () => bearer(e2e.idToken(ACME, 'admin'));
const subOf = (email: string) => e2e.cloud.identity.pool(e2e.userPoolId).requireUser(email).sub;

describe('tenant admins manage their users', () => {
  it("lists the tenant's users, the seeded member included, and only them", async () => {
    const listed = await callApi(`${e2e.apiUrl}/users`, 'GET', { authorization: admin() });
    expect(listed.status).toBe(200);
    const emails = (listed.body.items as Array<{ email: string }>).map((user) => user.email).sort();
    expect(emails).toEqual(['admin@acme.example.com', 'member@acme.example.com']);
  });

  it('refuses a member (403)', async () => {
    const invite = await callApi(`${e2e.apiUrl}/users`, 'POST', {
      authorization: bearer(e2e.idToken(ACME, 'member')),
      body: { email: 'sneaky@acme.example.com', role: 'admin' },
    });
    expect([invite.status, invite.body.message]).toEqual([403, expect.stringMatching(/admin/)]);
  });

  it("answers 404 for another tenant's user, leaving it as it was", async () => {
    const globexAdmin = subOf(`admin@${GLOBEX.slug}.example.com`);
    const patched = await callApi(`${e2e.apiUrl}/users/${globexAdmin}`, 'PATCH', {
      authorization: admin(),
      body: { enabled: false },
    });
    expect(patched.status).toBe(404);
    const globex = await callApi(`${e2e.apiUrl}/orders`, 'GET', {
      authorization: bearer(e2e.idToken(GLOBEX, 'admin')),
    });
    expect(globex.status).toBe(200);
  });

  it('keeps the last admin: demoting or deleting it is a 409 that says why', async () => {
    const self = subOf('admin@acme.example.com');
    const demote = await callApi(`${e2e.apiUrl}/users/${self}`, 'PATCH', {
      authorization: admin(),
      body: { role: 'member' },
    });
    expect([demote.status, demote.body.message]).toEqual([409, expect.stringMatching(/last one/)]);
    const remove = await callApi(`${e2e.apiUrl}/users/${self}`, 'DELETE', { authorization: admin() });
    expect([remove.status, remove.body.message]).toEqual([409, expect.stringMatching(/last enabled admin/)]);
  });

  it("refuses a disabled user's token already in use at the REST API at once, and a deleted user's", async () => {
    const invited = await callApi(`${e2e.apiUrl}/users`, 'POST', {
      authorization: admin(),
      body: { email: 'temp@acme.example.com', role: 'member' },
    });
    expect(invited.status).toBe(201);
    const userId = String(invited.body.userId);
    const token = bearer(
      e2e.cloud.identity.mintTokens({
        userPoolId: e2e.userPoolId,
        clientId: e2e.clientId,
        username: 'temp@acme.example.com',
      }).idToken,
    );
    // Allowed, and the authorizer's Allow is now cached for this token (300 s).
    expect((await callApi(`${e2e.apiUrl}/orders`, 'GET', { authorization: token })).status).toBe(200);

    const started = performance.now();
    const disabled = await callApi(`${e2e.apiUrl}/users/${userId}`, 'PATCH', {
      authorization: admin(),
      body: { enabled: false },
    });
    const answered = performance.now();
    expect([disabled.status, disabled.body.enabled]).toEqual([200, false]);
    expect((await callApi(`${e2e.apiUrl}/orders`, 'GET', { authorization: token })).status).toBe(401);
    // The delay is measured and printed, never asserted: the first request after the PATCH answered is refused.
    console.log(
      `disable → refused at REST: PATCH answered in ${Math.round(answered - started)} ms, refusal ${Math.round(performance.now() - started)} ms after it was sent`,
    );

    await callApi(`${e2e.apiUrl}/users/${userId}`, 'PATCH', {
      authorization: admin(),
      body: { enabled: true },
    });
    expect((await callApi(`${e2e.apiUrl}/orders`, 'GET', { authorization: token })).status).toBe(200);

    expect(
      (await callApi(`${e2e.apiUrl}/users/${userId}`, 'DELETE', { authorization: admin() })).status,
    ).toBe(204);
    expect((await callApi(`${e2e.apiUrl}/orders`, 'GET', { authorization: token })).status).toBe(401);
  });
});

describe('GET /audit', () => {
  it("shows a tenant admin its own tenant's trail only (read with its tenant session), and refuses a member", async () => {
    const trail = async (tenant: typeof ACME) => {
      const page = await callApi(`${e2e.apiUrl}/audit?limit=100`, 'GET', {
        authorization: bearer(e2e.idToken(tenant, 'admin')),
      });
      expect(page.status).toBe(200);
      return page.body.items as Array<{ action: string; details?: { email?: string } }>;
    };
    // The seed invited each tenant's member through POST /users, which recorded it.
    const invitesOf = (entries: Awaited<ReturnType<typeof trail>>) =>
      entries.filter((entry) => entry.action === 'user.invite').map((entry) => entry.details?.email);
    expect(invitesOf(await trail(ACME))).toContain('member@acme.example.com');
    expect(invitesOf(await trail(ACME))).not.toContain(`member@${GLOBEX.slug}.example.com`);
    expect(invitesOf(await trail(GLOBEX))).toContain(`member@${GLOBEX.slug}.example.com`);
    const member = await callApi(`${e2e.apiUrl}/audit`, 'GET', {
      authorization: bearer(e2e.idToken(ACME, 'member')),
    });
    expect(member.status).toBe(403);
  });
});

describe('GET /usage', () => {
  it("answers the tenant's limits and quota use, which moves by exactly the requests its key made", async () => {
    const before = await callApi(`${e2e.apiUrl}/usage`, 'GET', { authorization: admin() });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      tier: 'basic',
      throttle: { rateLimit: 10, burstLimit: 20 },
      quota: { limit: 10_000, period: 'MONTH', used: expect.any(Number), remaining: expect.any(Number) },
    });
    const quotaBefore = before.body.quota as { used: number; remaining: number };
    expect(quotaBefore.used).toBeGreaterThan(0); // the seed's requests, and this one
    for (let call = 0; call < 3; call += 1) {
      expect((await callApi(`${e2e.apiUrl}/orders`, 'GET', { authorization: admin() })).status).toBe(200);
    }
    const after = await callApi(`${e2e.apiUrl}/usage`, 'GET', { authorization: admin() });
    // Three orders reads and the second usage read, all on the tenant's key.
    expect(after.body.quota).toMatchObject({
      used: quotaBefore.used + 4,
      remaining: quotaBefore.remaining - 4,
    });
  });
});

interface Quota {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
}

describe('operator usage and tier changes', () => {
  it('shows the operator the usage the tenant sees, and carries it to the new plan on a tier change', async () => {
    const acme = e2e.seeded.find((seeded) => seeded.tenant === ACME);
    if (!acme) throw new Error('ACME was not seeded');
    const tenantPath = `/tenants/${acme.tenantId}`;
    const orders = async (count: number) => {
      for (let call = 0; call < count; call += 1) {
        expect((await callApi(`${e2e.apiUrl}/orders`, 'GET', { authorization: admin() })).status).toBe(200);
      }
    };
    const tenantSees = async () => {
      const usage = await callApi(`${e2e.apiUrl}/usage`, 'GET', { authorization: admin() });
      expect(usage.status).toBe(200);
      return usage.body;
    };
    const operatorSees = async () => {
      const shown = await operatorCall(e2e, 'GET', tenantPath);
      expect(shown.status).toBe(200);
      return shown.body;
    };

    await orders(5);
    // The operator's own requests are signed, not keyed: they use nothing of the tenant's quota.
    const onBasic = await operatorSees();
    expect(onBasic).toMatchObject({ tier: 'basic', usage: { quota: { limit: 10_000 } } });
    const used = (onBasic.usage as { quota: Quota }).quota.used;
    expect(used).toBeGreaterThanOrEqual(5);
    expect((await operatorSees()).usage).toEqual(onBasic.usage);

    const patched = await operatorCall(e2e, 'PATCH', tenantPath, { tier: 'premium' });
    expect([patched.status, patched.body.tier]).toEqual([200, 'premium']);
    const onPremium = await operatorSees();
    expect(onPremium.usage).toMatchObject({
      plan: { name: expect.stringMatching(/premium/i) },
      quota: { limit: 1_000_000, used, remaining: 1_000_000 - used },
    });
    // The tenant sees it too (its GET /usage is one more request on the premium plan), and the key keeps working.
    expect(await tenantSees()).toMatchObject({
      tier: 'premium',
      quota: { limit: 1_000_000, used: used + 1, remaining: 1_000_000 - used - 1 },
    });
    await orders(2);
    expect(((await operatorSees()).usage as { quota: Quota }).quota.used).toBe(used + 3);

    // And back: the downgrade carries the use so far to the basic plan.
    expect((await operatorCall(e2e, 'PATCH', tenantPath, { tier: 'basic' })).status).toBe(200);
    expect((await operatorSees()).usage).toMatchObject({
      quota: { limit: 10_000, used: used + 3, remaining: 10_000 - used - 3 },
    });
  });
});
