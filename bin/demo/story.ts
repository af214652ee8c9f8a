import { randomBytes } from 'node:crypto';
import {
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import WebSocket from 'ws';
import { signInWithSrp } from '../cognito-sign-in';
import { sigV4Headers } from '../demo-seed';
import type { Target } from '../saas/target';
import { withSlash } from '../saas/whoami';
import { cognitoEndpoint } from '../stack-outputs';
import { expectThat, type Narrator, StepFailed } from './narrator';

/** Where the story runs and how it may look behind the scenes. */
export interface StoryContext {
  readonly target: Target;
  readonly narrator: Narrator;
  /** The operator's credentials for SigV4 (onboarding) and Cognito admin calls. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * The latest requests the local cloud served (its `/_local/requests`), to show a stage-cache hit. A deployed stage
   * has none: API Gateway reports hits only as the stage's CacheHitCount metric, minutes later.
   */
  readonly recentRequests?: () => Promise<readonly ServedRequest[]>;
}

/** What the story reads of a request record of the local cloud. */
export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  readonly stageCache?: string;
}

/** The steps {@link tellStory} narrates (the narrator numbers them). */
export const STORY_STEPS = 7;

/** How long the story waits for an asynchronous outcome (a live message, a job) before calling the step failed. */
const PATIENCE_MS = 30_000;

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Now, to the second, as carriers stamp events. */
const utcNow = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** A tenant of the story: who signed in, with what token. */
interface StoryTenant {
  readonly tenantId: string;
  readonly slug: string;
  readonly idToken: string;
}

/**
 * The product's story, told against a deployed stage or the local cloud through the same public APIs a client
 * uses: an operator onboards a tenant, its admin signs in (SRP, answering the first sign-in challenge), the catalog
 * is read twice (the second answer from API Gateway's stage cache), an order arrives live on the WebSocket API, an
 * import runs as a 202 job, a carrier event (API Gateway straight to DynamoDB, no Lambda) changes the order's status
 * live, the public tracking page shows it, and another tenant sees none of it. Any step that misbehaves throws
 * {@link StepFailed}.
 */
export async function tellStory(ctx: StoryContext): Promise<void> {
  const { narrator } = ctx;
  const restApi = withSlash(ctx.target.output('RestApiUrl'));
  const publicApi = withSlash(ctx.target.output('PublicApiUrl'));
  const webSocketUrl = ctx.target.output('WebSocketUrl');
  const run = randomBytes(3).toString('hex');

  const call = async (
    method: string,
    url: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const started = performance.now();
    const response = await fetch(url, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(init.token === undefined ? {} : { authorization: init.token }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    narrator.call(method, new URL(url).pathname, response.status, performance.now() - started);
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { text };
    }
    return { status: response.status, body };
  };
  const expectStatus = (reply: Reply, status: number, what: string) =>
    expectThat(
      reply.status === status,
      `${what}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`,
    );

  const onboardTenant = async (name: string, adminEmail: string): Promise<StoryTenant> => {
    const url = `${restApi}tenants`;
    const payload = JSON.stringify({ name, tier: 'premium', adminEmail });
    const headers = await sigV4Headers(url, payload, ctx.target.config.region, ctx.credentials);
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers, body: payload });
    const body = (await response.json()) as Record<string, unknown>;
    narrator.call(
      'POST',
      new URL(url).pathname,
      response.status,
      performance.now() - started,
      'SigV4-signed',
    );
    expectThat(response.status === 201, `onboarding ${name}: ${response.status} ${JSON.stringify(body)}`);
    const idToken = await signIn(ctx, adminEmail);
    return { tenantId: String(body.tenantId), slug: String(body.slug), idToken };
  };

  const acme = await narrator.step('An operator onboards a tenant; its admin signs in', async () => {
    const tenant = await onboardTenant(`Story Co ${run}`, `admin@story-${run}.example.com`);
    narrator.say(`tenant ${tenant.tenantId}, storefront slug ${tenant.slug}`);
    narrator.say('signed in by SRP, the new-password challenge of a first sign-in answered');
    return tenant;
  });
  const bearer = `Bearer ${acme.idToken}`;

  await narrator.step(
    'The admin stocks the catalog; it is read twice, the second time from the stage cache',
    async () => {
      for (const [sku, name, price] of [
        ['STORY-1', 'Story widget', 1250],
        ['STORY-2', 'Story gadget', 4900],
      ] as const) {
        const put = await call('PUT', `${restApi}catalog/${sku}`, {
          token: acme.idToken,
          body: { name, price, currency: 'EUR', public: true },
        });
        expectThat(put.status < 300, `PUT /catalog/${sku}: ${put.status} ${JSON.stringify(put.body)}`);
      }
      for (let read = 0; read < 2; read++) {
        const reply = await call('GET', `${restApi}catalog`, { token: acme.idToken });
        expectStatus(reply, 200, 'GET /catalog');
      }
      const outcomes = await stageCacheOutcomes(ctx, '/catalog');
      if (outcomes === undefined) {
        narrator.say(
          '(a deployed stage reports cache hits as the CacheHitCount metric of the stage, not per request)',
        );
        return;
      }
      narrator.say(
        `stage cache: first read ${outcomes[0] ?? 'not cached'}, second read ${outcomes[1] ?? 'not cached'}`,
      );
      expectThat(
        outcomes[1] === 'hit',
        `the second catalog read was not answered from the stage cache (${outcomes.join(', ')})`,
      );
    },
  );

  const live = await LiveUpdates.open(webSocketUrl, acme.idToken);
  try {
    const order = await narrator.step(
      'An order placed through the REST API arrives live on the WebSocket API',
      async () => {
        const placed = await call('POST', `${restApi}orders`, {
          token: bearer,
          headers: { 'idempotency-key': `story-${run}` },
          body: { items: [{ sku: 'STORY-1', quantity: 2 }], note: 'the story order' },
        });
        expectStatus(placed, 201, 'POST /orders');
        const orderId = String(placed.body.orderId);
        const heard = await live.until((message) => message.id === orderId);
        narrator.say(`live: ${JSON.stringify({ type: heard.type, id: heard.id, status: heard.status })}`);
        return { orderId, version: Number(placed.body.version), trackingId: String(placed.body.trackingId) };
      },
    );

    await narrator.step(
      'A bulk import runs as a job: 202 Accepted, then polled until it succeeds',
      async () => {
        const orders = Array.from({ length: 25 }, (_, i) => ({
          items: [{ sku: 'STORY-2', quantity: i + 1 }],
        }));
        const accepted = await call('POST', `${restApi}jobs`, {
          token: bearer,
          body: { type: 'orders.import', orders },
        });
        expectStatus(accepted, 202, 'POST /jobs');
        const statusUrl = new URL(String(accepted.body.statusUrl), restApi).toString();
        const deadline = Date.now() + PATIENCE_MS;
        for (;;) {
          const job = await call('GET', statusUrl, { token: bearer });
          if (job.body.status === 'succeeded') {
            narrator.say(`result: ${JSON.stringify(job.body.result)}`);
            expectThat(
              (job.body.result as { created?: number } | undefined)?.created === orders.length,
              `the import created ${JSON.stringify(job.body.result)} instead of ${orders.length} orders`,
            );
            return;
          }
          expectThat(job.body.status !== 'failed', `the import failed: ${JSON.stringify(job.body)}`);
          expectThat(Date.now() < deadline, `the import is still ${String(job.body.status)}`);
          await new Promise((wait) => setTimeout(wait, 500));
        }
      },
    );

    await narrator.step(
      'A carrier event goes straight into DynamoDB (no Lambda) and the status changes live',
      async () => {
        const confirmed = await call('PATCH', `${restApi}orders/${order.orderId}`, {
          token: bearer,
          body: { version: order.version, status: 'confirmed' },
        });
        expectStatus(confirmed, 200, 'PATCH /orders/{id}');
        await live.until((message) => message.id === order.orderId && message.status === 'confirmed');
        const event = await call('POST', `${restApi}events`, {
          token: bearer,
          body: {
            orderId: order.orderId,
            type: 'shipped',
            occurredAt: utcNow(),
            carrier: 'Story Express',
          },
        });
        expectStatus(event, 202, 'POST /events');
        const heard = await live.until(
          (message) => message.id === order.orderId && message.status === 'shipped',
        );
        narrator.say(
          `live: ${JSON.stringify({ id: heard.id, status: heard.status, version: heard.version })}`,
        );
      },
    );

    await narrator.step('The public tracking page (HTTP API, no sign-in) shows the new status', async () => {
      const tracking = await call('GET', `${publicApi}public/track/${order.trackingId}`);
      expectStatus(tracking, 200, 'GET /public/track/{trackingId}');
      narrator.say(`tracking: ${JSON.stringify(tracking.body)}`);
      expectThat(
        tracking.body.status === 'shipped',
        `the tracking page says ${String(tracking.body.status)}`,
      );
      const storefront = await call('GET', `${publicApi}public/${acme.slug}/catalog`);
      expectStatus(storefront, 200, 'GET /public/{slug}/catalog');
    });

    await narrator.step('Another tenant sees none of it: a 404, an empty list, a silent socket', async () => {
      const other = await onboardTenant(`Other Co ${run}`, `admin@other-${run}.example.com`);
      const otherBearer = `Bearer ${other.idToken}`;
      const read = await call('GET', `${restApi}orders/${order.orderId}`, { token: otherBearer });
      expectStatus(read, 404, "another tenant's GET /orders/{id}");
      const listed = await call('GET', `${restApi}orders?limit=100`, { token: otherBearer });
      expectStatus(listed, 200, "another tenant's GET /orders");
      expectThat(
        (listed.body.items as unknown[] | undefined)?.length === 0,
        `another tenant lists ${JSON.stringify(listed.body.items)}`,
      );
      const otherLive = await LiveUpdates.open(webSocketUrl, other.idToken);
      try {
        const delivered = await call('POST', `${restApi}events`, {
          token: bearer,
          body: { orderId: order.orderId, type: 'delivered', occurredAt: utcNow(), carrier: 'Story Express' },
        });
        expectStatus(delivered, 202, 'POST /events');
        await live.until((message) => message.id === order.orderId && message.status === 'delivered');
        // The broadcaster posts one change to every connection at once: a leak would have landed by now.
        await new Promise((wait) => setTimeout(wait, 500));
        narrator.say(
          `the order's tenant heard 'delivered'; the other tenant's socket heard ${otherLive.heard.length} messages`,
        );
        expectThat(
          otherLive.heard.every((message) => message.id !== order.orderId),
          `another tenant's socket heard ${JSON.stringify(otherLive.heard)}`,
        );
      } finally {
        await otherLive.close();
      }
    });
  } finally {
    await live.close();
  }
}

/**
 * Signs `username` in the way a new admin does: the operator gives a temporary password (what the invitation
 * e-mail carries), and the SRP sign-in answers NEW_PASSWORD_REQUIRED with a password of the user's own.
 */
async function signIn(ctx: StoryContext, username: string): Promise<string> {
  const endpoint = cognitoEndpoint(ctx.target.config);
  const idp = new CognitoIdentityProviderClient({
    region: ctx.target.config.region,
    credentials: ctx.credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
  const temporary = `Tt1!${randomBytes(12).toString('base64url')}`;
  try {
    await idp.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: ctx.target.config.userPoolId,
        Username: username,
        Password: temporary,
        Permanent: false,
      }),
    );
  } finally {
    idp.destroy();
  }
  let challenged = false;
  const tokens = await signInWithSrp(ctx.target.config, {
    username,
    password: temporary,
    newPassword: async () => {
      challenged = true;
      return `Nn1!${randomBytes(12).toString('base64url')}`;
    },
  });
  expectThat(challenged, `${username} was not asked for a new password on a first sign-in`);
  return tokens.idToken;
}

/** The stage-cache outcome of the last two GETs of `pathSuffix`, from the local cloud's request records. */
async function stageCacheOutcomes(
  ctx: StoryContext,
  pathSuffix: string,
): Promise<Array<string | undefined> | undefined> {
  if (ctx.recentRequests === undefined) return undefined;
  return (await ctx.recentRequests())
    .filter((record) => record.method === 'GET' && record.path.endsWith(pathSuffix))
    .slice(-2)
    .map((record) => record.stageCache);
}

/** The WebSocket API as the SPA uses it: every message kept, read in order. */
class LiveUpdates {
  readonly heard: Array<Record<string, unknown>> = [];
  private read = 0;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.heard.push(JSON.parse(data.toString()) as Record<string, unknown>);
      this.wake?.();
    });
  }

  static open(url: string, idToken: string): Promise<LiveUpdates> {
    const socket = new WebSocket(`${url}?token=${encodeURIComponent(idToken)}`);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveUpdates(socket)));
      socket.once('unexpected-response', (_request, response) =>
        reject(new StepFailed(`the WebSocket API refused the connection: ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** The first message not read yet that `wanted` accepts (earlier ones are skipped); fails after a while. */
  async until(wanted: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const deadline = Date.now() + PATIENCE_MS;
    for (;;) {
      while (this.read < this.heard.length) {
        const message = this.heard[this.read++] as Record<string, unknown>;
        if (wanted(message)) return message;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new StepFailed('the awaited live update did not arrive');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState !== WebSocket.OPEN) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close(1000);
    });
  }
}
