/**
 * End to end: `POST /events` on the local cloud — API Gateway's AWS integration renders the request template
 * and puts the event into DynamoDB with no function on the write path; the table's stream runs the projector,
 * which moves the order, and the broadcaster pushes that change to the tenant's WebSocket clients. Driven over
 * real HTTP (polling `GET /orders/{id}` as a client would) and real `ws` clients.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { orderEventKeys } from '../../shared/keys/order-event-keys';
import { ACME, type ApiReply, callApi, type E2eCloud, GLOBEX, startE2eCloud } from '../support/e2e-cloud';
import { LiveSocket } from '../support/live-socket';

let e2e: E2eCloud;
let documents: DynamoDBDocumentClient;
let tableName: string;
let webSocketUrl: string;
const sockets: LiveSocket[] = [];

beforeAll(async () => {
  e2e = await startE2eCloud();
  const endpoint = e2e.cloud.endpoints.find((e) => e.kind === 'DynamoDB')?.url;
  const table = e2e.cloud.model.resources.find(
    (r) => r.type.startsWith('AWS::DynamoDB::') && r.logicalId.startsWith('Table'),
  );
  const webSocket = e2e.cloud.endpoints.find((e) => e.kind === 'WebSocket API')?.url;
  if (!endpoint || !table || !webSocket) {
    throw new Error('no DynamoDB endpoint, table or WebSocket API in the local cloud');
  }
  tableName = table.physicalId;
  webSocketUrl = webSocket;
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  documents?.destroy();
  await e2e?.close();
});

interface Reply extends ApiReply {
  readonly requestId: string | null;
}

async function api(method: string, path: string, token: string, body?: unknown): Promise<Reply> {
  const reply = await callApi(`${e2e.apiUrl}${path}`, method, { authorization: `Bearer ${token}`, body });
  return { ...reply, requestId: reply.headers.get('x-amzn-requestid') };
}

function tenantOf(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return String(claims['custom:tenantId']);
}

async function poll<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await probe();
    if (done(value) || attempt >= 150) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh confirmed order of the tenant (created and confirmed through the API). */
async function confirmedOrder(token: string): Promise<{ orderId: string; version: number }> {
  const created = await api('POST', '/orders', token, { items: [{ sku: 'WIDGET-1', quantity: 1 }] });
  expect(created.status).toBe(201);
  const orderId = String(created.body.orderId);
  const confirmed = await api('PATCH', `/orders/${orderId}`, token, {
    version: created.body.version,
    status: 'confirmed',
  });
  expect(confirmed.body).toMatchObject({ status: 'confirmed' });
  return { orderId, version: Number(confirmed.body.version) };
}

async function connect(token: string): Promise<LiveSocket> {
  const socket = await LiveSocket.open(webSocketUrl, token);
  sockets.push(socket);
  return socket;
}

/**
 * The socket's messages up to and including the first that `last` accepts. Earlier ones may be about other
 * orders (a previous test's changes still on the stream); each read is guarded by LiveSocket's deadline.
 */
async function heardUntil(
  socket: LiveSocket,
  last: (message: Record<string, unknown>) => boolean,
): Promise<Array<Record<string, unknown>>> {
  const heard: Array<Record<string, unknown>> = [];
  for (let read = 0; read < 100; read++) {
    const message = await socket.next();
    heard.push(message);
    if (last(message)) return heard;
  }
  throw new Error(`100 messages and none was the one awaited: ${JSON.stringify(heard.slice(-3))}`);
}

/**
 * How long another tenant's socket is given, after the tenant's own socket heard a change, for a leaked copy to
 * arrive. The broadcaster posts one change to all its targets at once, so a leak would land within this margin;
 * it is a wait before a check, not a timing assertion.
 */
const QUIET_MS = 500;

async function storedEvent(tenant: string, orderId: string, eventId: string) {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: tableName,
      Key: orderEventKeys.event(tenant, orderId, eventId),
      ConsistentRead: true,
    }),
  );
  return Item;
}

const ATTACK = `O'Hare "\\" \\u0022 \n ", "PK": {"S": "TENANT#tglobexglobexglob#X"}, "tenantId": {"S": "x"} $context.authorizer.tenantId #set($a = 1) 😀`;

describe('POST /events', () => {
  it('answers 202 with the event id, and the projector moves the order: status, version, timeline', async () => {
    const token = e2e.idToken(ACME, 'member');
    const order = await confirmedOrder(token);

    const posted = await api('POST', '/events', token, {
      orderId: order.orderId,
      type: 'shipped',
      occurredAt: '2026-01-02T10:00:00Z',
      carrier: 'DHL',
    });
    expect(posted).toMatchObject({ status: 202, body: { eventId: posted.requestId } });

    const after = await poll(
      () => api('GET', `/orders/${order.orderId}`, token),
      (reply) => reply.body.status === 'shipped',
    );
    expect(after.body).toMatchObject({
      status: 'shipped',
      version: order.version + 1,
      timeline: [
        { eventId: posted.requestId, type: 'shipped', occurredAt: '2026-01-02T10:00:00Z', carrier: 'DHL' },
      ],
    });
  });

  it("pushes the projected change to the tenant's WebSocket clients, and nothing of it to another tenant's", async () => {
    const token = e2e.idToken(ACME, 'member');
    const acme = await connect(token);
    const globex = await connect(e2e.idToken(GLOBEX, 'member'));
    const order = await confirmedOrder(token);

    const posted = await api('POST', '/events', token, {
      orderId: order.orderId,
      type: 'shipped',
      occurredAt: '2026-01-02T11:00:00Z',
    });
    expect(posted).toMatchObject({ status: 202, body: { eventId: posted.requestId } });

    const heard = await heardUntil(acme, (m) => m.id === order.orderId && m.status === 'shipped');
    const shipped = (await api('GET', `/orders/${order.orderId}`, token)).body;
    // The broadcaster's message (services/broadcaster/stream-changes.ts): exactly these five fields.
    expect(heard.filter((m) => m.id === order.orderId)).toEqual([
      expect.objectContaining({ type: 'order', status: 'pending' }),
      expect.objectContaining({ type: 'order', status: 'confirmed', version: order.version }),
      {
        type: 'order',
        id: order.orderId,
        status: 'shipped',
        version: order.version + 1,
        at: shipped.updatedAt,
      },
    ]);

    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    // Globex's socket is alive (it hears Globex's own new order), and nothing it heard before was Acme's order.
    const globexOrder = await api('POST', '/orders', e2e.idToken(GLOBEX, 'member'), {
      items: [{ sku: 'WIDGET-1', quantity: 1 }],
    });
    const heardByGlobex = await heardUntil(globex, (m) => m.id === globexOrder.body.orderId);
    expect(heardByGlobex.map((m) => m.id)).not.toContain(order.orderId);
  });

  it("stores injection attempts literally, under the caller's tenant, and shows them on the timeline as sent", async () => {
    const token = e2e.idToken(ACME, 'member');
    const tenant = tenantOf(token);
    const order = await confirmedOrder(token);

    const posted = await api('POST', '/events', token, {
      orderId: order.orderId,
      type: 'picked',
      occurredAt: '2026-01-02T09:00:00+01:00',
      carrier: `${ATTACK.slice(0, 60)}`,
      note: ATTACK,
    });
    expect(posted.status).toBe(202);
    const eventId = String(posted.body.eventId);

    const item = await poll(
      () => storedEvent(tenant, order.orderId, eventId),
      (stored) => stored?.status === 'accepted',
    );
    expect(item).toMatchObject({
      ...orderEventKeys.event(tenant, order.orderId, eventId),
      tenantId: tenant,
      note: ATTACK,
      carrier: ATTACK.slice(0, 60),
      status: 'accepted',
    });
    expect(Object.keys(item ?? {}).sort()).toEqual(
      [
        'PK',
        'SK',
        'entity',
        'tenantId',
        'eventId',
        'orderId',
        'type',
        'occurredAt',
        'receivedAt',
        'status',
        'carrier',
        'note',
        'processedAt',
      ].sort(),
    );
    const timeline = (await api('GET', `/orders/${order.orderId}`, token)).body.timeline;
    expect(timeline).toEqual([expect.objectContaining({ eventId, note: ATTACK })]);
  });

  it("rejects an event for another tenant's order id and changes nothing of that order", async () => {
    const acme = e2e.idToken(ACME, 'member');
    const globex = e2e.idToken(GLOBEX, 'member');
    const order = await confirmedOrder(acme);

    const posted = await api('POST', '/events', globex, {
      orderId: order.orderId,
      type: 'delivered',
      occurredAt: '2026-01-02T10:00:00Z',
    });
    expect(posted.status).toBe(202);

    const item = await poll(
      () => storedEvent(tenantOf(globex), order.orderId, String(posted.body.eventId)),
      (stored) => stored?.status !== 'received',
    );
    expect(item).toMatchObject({
      status: 'rejected',
      reason: 'unknown order: no order with this id for the tenant',
    });
    // The event exists only under the caller's tenant: nothing was written under the order owner's keys.
    expect(await storedEvent(tenantOf(acme), order.orderId, String(posted.body.eventId))).toBeUndefined();
    expect((await api('GET', `/orders/${order.orderId}`, acme)).body).toMatchObject({
      status: 'confirmed',
      version: order.version,
    });
    expect((await api('GET', `/orders/${order.orderId}`, acme)).body.timeline).toBeUndefined();
  });

  it.each([
    ['a tenantId in the body', { tenantId: 'tglobexglobexglob' }],
    ['an unknown type', { type: 'teleported' }],
    ['a date that is not ISO 8601', { occurredAt: 'yesterday' }],
    ['30 February', { occurredAt: '2026-02-30T10:00:00Z' }],
    ['29 February of a common year', { occurredAt: '2025-02-29T10:00:00Z' }],
    ['year 0000', { occurredAt: '0000-01-01T10:00:00Z' }],
    ['year 9999', { occurredAt: '9999-12-31T10:00:00Z' }],
    ['an order id that is not one', { orderId: '", "PK": {"S": "x"}' }],
    ['a note over 500 characters', { note: 'x'.repeat(501) }],
  ])('refuses %s at the gateway with 400, writing nothing', async (_, change) => {
    const token = e2e.idToken(ACME, 'member');
    const reply = await api('POST', '/events', token, {
      orderId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      type: 'shipped',
      occurredAt: '2026-01-02T10:00:00Z',
      ...change,
    });

    expect(reply).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST_BODY', requestId: reply.requestId },
    });
    expect(
      await storedEvent(tenantOf(token), '01JABCDEFGHJKMNPQRSTVWXYZ0', String(reply.requestId)),
    ).toBeUndefined();
  });

  it('answers 401 without a token and runs nothing', async () => {
    const response = await fetch(`${e2e.apiUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        orderId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
        type: 'shipped',
        occurredAt: '2026-01-02T10:00:00Z',
      }),
    });
    expect(response.status).toBe(401);
  });
});
