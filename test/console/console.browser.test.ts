/**
 * The web console in a real browser: headless Chromium (Debian's package, driven by playwright-core) against the
 * local cloud started as the e2e suites start it, the console served by the same server `npm start` uses. People
 * sign in through managed login (authorization code + PKCE), watch an order placed in a second browser arrive live
 * over the WebSocket API, edit the catalog as an admin, and open the public storefront. Every page is checked for
 * console errors; screenshots are kept in .cdk-local/test-artifacts/console/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  DEMO_PASSWORD,
  LOCAL_CONSOLE_PORT,
  localConsoleConfig,
  setDemoPasswords,
} from '../../bin/console-local';
import { type ConsoleServer, startConsoleServer } from '../../bin/console-server';
import { buildConsole } from '../../console/build';
import { ACME, type E2eCloud, startE2eCloud } from '../support/e2e-cloud';
import { chromiumExecutable } from './chromium';

/**
 * The origin the browser sees: the sandbox stage's CORS and callback URLs allow it. Chromium's host resolver maps it
 * to the console server on a free port, so the suite never needs port 5173 itself (`npm start` may hold it).
 */
const ORIGIN = `http://localhost:${LOCAL_CONSOLE_PORT}`;
const ARTIFACTS = resolve(__dirname, '..', '..', '.cdk-local', 'test-artifacts', 'console');

let executablePath: string;
let e2e: E2eCloud;
let server: ConsoleServer;
let browser: Browser;
let buildDir: string;
/** Console errors and uncaught exceptions of every page, by page name: each must stay empty. */
const pageErrors: Record<string, string[]> = {};
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // First, before the cloud: no Chromium fails the suite with how to install it.
  executablePath = chromiumExecutable();
  buildDir = mkdtempSync(join(tmpdir(), 'console-build-'));
  buildConsole(buildDir);
  e2e = await startE2eCloud();
  await setDemoPasswords(e2e.cloud);
  server = await startConsoleServer({
    dir: buildDir,
    port: 0,
    config: () => localConsoleConfig(e2e.cloud),
    identityUrl: () => e2e.cloud.identity.endpoint,
  });
  const consolePort = new URL(server.url).port;
  browser = await chromium.launch({
    executablePath,
    args: [`--host-resolver-rules=MAP localhost:${LOCAL_CONSOLE_PORT} 127.0.0.1:${consolePort}`],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await e2e?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

/** A page in a fresh browser profile (its own sessionStorage); console errors recorded under `name`. */
async function openPage(name: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors[name] = errors;
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

/**
 * Managed login as a person does it: the console's button, the Cognito domain's form, back with a code. With
 * `keyboard`, only keys: Tab reaches the button first, Enter presses it, and the form is typed and submitted.
 */
async function signIn(page: Page, username: string, keyboard = false): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  if (keyboard) {
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Sign in');
    await page.keyboard.press('Enter');
    await page.getByLabel('Username').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
  } else {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.waitForURL(`${ORIGIN}/`);
  await page.getByText(`${username} (`).waitFor();
  await page.getByText('live updates: live').waitFor();
}

/**
 * Form controls with no accessible name and buttons with no name, as `tag#id/name` (axe's "label" and
 * "button-name" basics): each must be empty.
 */
function unnamedControls(page: Page): Promise<string[]> {
  // A string, evaluated in the page: the tests' TypeScript has no DOM types.
  return page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((element) => {
      const labelled = element.labels?.length || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby');
      return element.tagName === 'BUTTON' ? !(element.textContent.trim() || labelled) : !labelled;
    })
    .map((element) => element.tagName.toLowerCase() + '#' + element.id + '/' + (element.getAttribute('name') ?? ''))`);
}

const orderRow = (page: Page, orderId: string) => page.locator(`tr[data-order-id="${orderId}"]`);
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe('the web console in Chromium', () => {
  let admin: Page;
  let member: Page;

  it('signs an admin and a member of one tenant in through managed login, each seeing its orders', async () => {
    admin = await openPage('admin');
    member = await openPage('member');
    await signIn(admin, 'admin@acme.example.com');
    await signIn(member, 'member@acme.example.com', true);
    // The seed placed three orders for Acme: both see them.
    for (const page of [admin, member]) await page.locator('tr[data-order-id]').nth(2).waitFor();
    await shot(admin, 'orders');
  });

  it("shows an order placed in one browser live in the other's, a status change back, and its tracking page", async () => {
    await member.getByLabel('Item').selectOption('GADGET-2');
    await member.getByLabel('Quantity').fill('3');
    await member.getByLabel('Note').fill('placed in the member browser');
    await member.getByRole('button', { name: 'Place order' }).click();
    const placed = member.locator('tr[data-order-id]', { hasText: 'placed in the member browser' });
    await placed.waitFor();
    const orderId = String(await placed.getAttribute('data-order-id'));

    // No reload: the admin's page learns of it from the WebSocket.
    await orderRow(admin, orderId).waitFor();
    await expectText(orderRow(admin, orderId).locator('.status'), 'pending');
    await admin.getByRole('button', { name: `Mark order ${orderId} confirmed` }).click();
    await expectText(orderRow(member, orderId).locator('.status'), 'confirmed');
    await shot(member, 'order-live');

    // The order's public tracking page (its link in the table) shows the new status, signed in or not.
    const trackingPath = String(await orderRow(member, orderId).getByRole('link').getAttribute('href'));
    const visitor = await openPage('tracking');
    await visitor.goto(`${ORIGIN}${trackingPath}`);
    await expectText(visitor.locator('.status'), 'confirmed');
  });

  it('renews an expired ID token with the refresh token, so a call after expiry succeeds without signing in again', async () => {
    const page = await openPage('token-refresh');
    // The page's clock, faked from the start, runs at real speed until the test jumps it forward.
    await page.clock.install();
    await signIn(page, 'member@acme.example.com');
    await page.locator('tr[data-order-id]').first().waitFor();
    const kept = () =>
      page.evaluate(`JSON.parse(sessionStorage.getItem('console.session'))`) as Promise<{
        idToken: string;
        refreshToken?: string;
        expiresAt: number;
      }>;
    const before = await kept();
    expect(before.refreshToken).toEqual(expect.any(String));

    // Past the ID token's expiry by this browser's clock.
    const now = Number(await page.evaluate('Date.now()'));
    await page.clock.fastForward(before.expiresAt - now + 60_000);
    const renewal = page.waitForRequest(
      (request) =>
        request.url().endsWith('/oauth2/token') && /grant_type=refresh_token/.test(request.postData() ?? ''),
    );
    const call = page.waitForResponse((response) => response.url().includes('/jobs?'));
    await page.getByRole('button', { name: 'Jobs', exact: true }).click();
    await renewal;
    const answered = await call;
    expect(answered.status()).toBe(200);
    const sentWith = String(await answered.request().headerValue('authorization'));
    const after = await kept();
    expect(sentWith).toBe(`Bearer ${after.idToken}`);
    expect(after.idToken).not.toBe(before.idToken);
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt);
    expect(page.url()).toBe(`${ORIGIN}/`);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('lets an admin edit the catalog, and the storefront shows it', async () => {
    await admin.getByRole('button', { name: 'Catalog' }).click();
    await admin.getByRole('button', { name: 'Edit WIDGET-1' }).click();
    await admin.getByLabel('Price').fill('13.75');
    await admin.getByRole('button', { name: 'Save item' }).click();
    await expectText(admin.locator('tr[data-sku="WIDGET-1"] .price'), '13.75 EUR');
    await shot(admin, 'catalog');

    // A member reads the catalog but has no edit controls.
    await member.getByRole('button', { name: 'Catalog' }).click();
    await member.locator('tr[data-sku="WIDGET-1"]').waitFor();
    expect(await member.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    // The edit flushed the stage cache: the member's first read is a miss, the same read again a hit.
    await expectText(member.locator('.cache'), 'cache miss');
    await expectText(member.locator('tr[data-sku="WIDGET-1"] .price'), '13.75 EUR');
    await member.getByRole('button', { name: 'Read the catalog again' }).click();
    await expectText(member.locator('.cache'), 'cache hit');
    await shot(member, 'catalog-cache-hit');

    const visitor = await openPage('storefront');
    await visitor.goto(`${ORIGIN}/store/${e2e.seeded[0]?.slug ?? ACME.slug}`);
    const products = visitor.getByRole('list', { name: 'Products' });
    await expectText(products.locator('li').filter({ hasText: 'Widget' }), '13.75 EUR');
    // Items not on the storefront stay off it.
    expect(await products.textContent()).not.toContain('Gizmo');
    await shot(visitor, 'storefront');
  });

  it('runs a report job and shows it succeed', async () => {
    await admin.getByRole('button', { name: 'Jobs' }).click();
    await admin.getByRole('button', { name: 'Start report' }).click();
    await expectText(admin.locator('tr[data-job-id] .status').first(), 'succeeded');
    await shot(admin, 'jobs');
  });

  it('imports an NDJSON file uploaded straight to S3, shows the orders, and downloads a report whose rows are them', async () => {
    const notes = ['uploaded line 1', 'uploaded line 2'];
    const file = notes
      .map((note, i) => JSON.stringify({ items: [{ sku: 'WIDGET-1', quantity: i + 1 }], note }))
      .join('\n');
    await admin.getByRole('button', { name: 'Jobs' }).click();
    await admin.getByLabel('Import file (NDJSON, or CSV ending in .csv)').setInputFiles({
      name: 'orders.ndjson',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(file),
    });
    await admin.getByRole('button', { name: 'Upload and import' }).click();
    const imported = admin.locator('tr[data-job-id]', { hasText: 'orders.import' }).first();
    await expectText(imported.locator('.status'), 'succeeded');
    await expectText(imported, '"created":2');
    await shot(admin, 'jobs-import');

    await admin.getByRole('button', { name: 'Orders' }).click();
    const ids: string[] = [];
    for (const note of notes) {
      const row = admin.locator('tr[data-order-id]', { hasText: note });
      await row.waitFor();
      ids.push(String(await row.getAttribute('data-order-id')));
    }

    await admin.getByRole('button', { name: 'Jobs' }).click();
    const reports = admin.locator('tr[data-job-id]', { hasText: 'orders.report' });
    // The list holds the earlier report before this one starts.
    await reports.first().waitFor();
    const earlier = await reports.count();
    await admin.getByRole('button', { name: 'Start report' }).click();
    await admin.locator('tr[data-job-id]', { hasText: 'orders.report' }).nth(earlier).waitFor();
    const report = reports.first();
    await expectText(report.locator('.status'), 'succeeded');
    const jobId = String(await report.getAttribute('data-job-id'));
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: `Download report ${jobId}` }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^orders-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(rows[0]).toBe('orderId,createdAt,status,currency,total');
    const reported = new Map(rows.slice(1).map((row) => [row.split(',')[0], row]));
    // Both imported orders, still pending, in EUR (WIDGET-1's currency).
    for (const id of ids)
      expect({ id, row: reported.get(id), rows }).toMatchObject({
        row: expect.stringMatching(new RegExp(`^${id},[^,]+,pending,EUR,\\d+`)),
      });
  });

  it("lets an admin invite a user and change its role, and shows the tenant's plan and quota", async () => {
    await admin.getByRole('button', { name: 'Users' }).click();
    await admin.getByLabel('E-mail').fill('buyer@acme.example.com');
    await admin.getByRole('button', { name: 'Invite' }).click();
    const invited = admin.locator('tr[data-email="buyer@acme.example.com"]');
    await expectText(invited.locator('.role'), 'member');
    await admin.getByRole('button', { name: 'Make buyer@acme.example.com admin' }).click();
    await expectText(invited.locator('.role'), 'admin');
    // A member has no Users panel.
    expect(await member.getByRole('button', { name: 'Users' }).count()).toBe(0);

    await admin.getByRole('button', { name: 'Usage' }).click();
    await expectText(admin.locator('.tier'), 'basic');
    await expectText(admin.locator('.quota'), ' used since ');
    await shot(admin, 'users-usage');
  });

  it('lets an operator sign in with AWS credentials, change a tier, suspend a tenant (its member is refused) and reactivate it, and offboard another', async () => {
    const operator = await openPage('operator');
    await operator.goto(`${ORIGIN}/`);
    await operator.getByRole('link', { name: 'Operators: sign in with AWS credentials' }).click();
    // Locally the page names the local cloud's credentials (npm start prints them too).
    await expectText(operator.locator('.hint'), LOCAL_CREDENTIALS.accessKeyId);
    await operator.getByLabel('Access key ID').fill(LOCAL_CREDENTIALS.accessKeyId);
    await operator.getByLabel('Secret access key').fill(LOCAL_CREDENTIALS.secretAccessKey);
    await operator.getByRole('button', { name: 'Sign in as operator' }).click();
    const acme = operator.locator('tr[data-tenant-id]', { hasText: 'Acme Corp' });
    const globex = operator.locator('tr[data-tenant-id]', { hasText: 'Globex' });
    await expectText(acme.locator('.status'), 'ACTIVE');
    expect(await unnamedControls(operator)).toEqual([]);
    // Kept for this tab only.
    expect(await operator.evaluate('Object.keys(localStorage).length')).toBe(0);

    const globexTier = operator.getByRole('combobox', { name: 'Tier of Globex' });
    expect(await globexTier.inputValue()).toBe('premium');
    await globexTier.selectOption('basic');
    await globex.getByRole('button', { name: 'Change tier' }).click();
    // Disabled again once the tier the API answers is the one chosen.
    await globex.locator('button:disabled', { hasText: 'Change tier' }).waitFor();
    expect(await globexTier.inputValue()).toBe('basic');

    // Both Acme pages' counts of errors before the suspension: what they log while it lasts is checked below.
    const before = { admin: pageErrors.admin?.length ?? 0, member: pageErrors.member?.length ?? 0 };
    await operator.getByRole('button', { name: 'Suspend Acme Corp' }).click();
    await expectText(acme.locator('.status'), 'SUSPENDED');
    await shot(operator, 'operator-tenants');
    // The member's next call is refused by the gateway (the authorizer's 401, a DEFAULT_4XX gateway response): its
    // CORS names the console's origin, so the console can read and show the gateway's own message.
    await member.getByRole('button', { name: 'Jobs', exact: true }).click();
    await expectText(member.getByRole('alert'), '401: Unauthorized');
    await shot(member, 'member-suspended');

    await operator.getByRole('button', { name: 'Reactivate Acme Corp' }).click();
    await expectText(acme.locator('.status'), 'ACTIVE');
    await member.getByRole('button', { name: 'Catalog', exact: true }).click();
    await member.getByRole('button', { name: 'Orders', exact: true }).click();
    await member.locator('tr[data-order-id]').first().waitFor();
    expect(await member.getByRole('alert').count()).toBe(0);
    await member.getByText('live updates: live').waitFor();
    // While suspended, Chromium logged each refused request and socket handshake: those and nothing else.
    const refused = [
      ...(pageErrors.member ?? []).splice(before.member),
      ...(pageErrors.admin ?? []).splice(before.admin),
    ];
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused)
      expect(error).toMatch(/status of 40[13] |WebSocket connection .* failed: HTTP Authentication failed/);

    operator.once('dialog', (dialog) => void dialog.accept());
    await operator.getByRole('button', { name: 'Offboard Globex' }).click();
    await expectText(globex.locator('.status'), 'OFFBOARD');
  });

  it('names every control of every panel (labels, button names)', async () => {
    for (const panel of ['Orders', 'Catalog', 'Jobs', 'Users', 'Usage']) {
      await admin.getByRole('button', { name: panel, exact: true }).click();
      await admin.getByRole('heading', { level: 2, name: panel }).waitFor();
      expect({ panel, unnamed: await unnamedControls(admin) }).toEqual({ panel, unnamed: [] });
    }
  });

  it('logged no console error on any page', () => {
    expect(pageErrors).toEqual(Object.fromEntries(Object.keys(pageErrors).map((name) => [name, []])));
  });
});

/** Waits until the element's text contains `text`, failing with what it showed instead. */
async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: 20_000 });
  } catch {
    throw new Error(`expected "${text}", the page shows "${await locator.first().textContent()}"`);
  }
}
