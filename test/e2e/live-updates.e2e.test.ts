/**
 * End to end: live order updates on the local cloud. Orders are created and patched through the REST API;
 * real `ws` clients connected to the WebSocket API (token in `?token=`) receive what the stream broadcaster
 * posts through `@connections`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { awsEvent } from '../../local/test/support/aws-events';
import { connectionCodec } from '../../shared/codecs/connection-codec';
import { connectionKeys } from '../../shared/keys/connection-keys';
import { ACME, type E2eCloud, GLOBEX, startE2eCloud } from '../support/e2e-cloud';
import { LiveSocket } from '../support/live-socket';

let e2e: E2eCloud;
let webSocketUrl: string;
let dynamo: DynamoDBDocumentClient;
let tableName: string;
const sockets: LiveSocket[] = [];

beforeAll(async () => {
  e2e = await startE2eCloud();
  const endpoint = (kind: string) => {
    const found = e2e.cloud.endpoints.find((e) => e.kind === kind);
    if (!found) throw new Error(`the local cloud has no ${kind} endpoint`);
    return found.url;
  };
  webSocketUrl = endpoint('WebSocket API');
  dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: e2e.cloud.model.region,
      endpoint: endpoint('DynamoDB'),
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  const table = e2e.cloud.model.resources.find(
    (r) => r.type === 'AWS::DynamoDB::GlobalTable' && r.logicalId.startsWith('Table'),
  );
  if (!table) throw new Error('no table in the template');
  tableName = table.physicalId;
}, 120_000);

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  dynamo?.destroy();
  await e2e?.close();
});

const member = (tenant: typeof ACME) => e2e.idToken(tenant, 'member');

function tenantIdOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    string
  >;
  return payload['custom:tenantId'] ?? '';
}

async function connect(tenant: typeof ACME): Promise<LiveSocket> {
  const socket = await LiveSocket.open(webSocketUrl, member(tenant));
  sockets.push(socket);
  return socket;
}

async function rest(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${e2e.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const reply = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300)
    throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(reply)}`);
  return reply as { orderId: string; version: number; status: string; updatedAt: string };
}

const createOrder = (tenant: typeof ACME) =>
  rest('POST', '/orders', member(tenant), { items: [{ sku: 'WIDGET-1', quantity: 1 }] });
const patchNote = (tenant: typeof ACME, orderId: string, version: number, note: string) =>
  rest('PATCH', `/orders/${orderId}`, member(tenant), { version, note });

/** Each key with the JSON type of its value, recursively; header and query maps only as objects. */
function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, /headers|querystringparameters|image|keys/i.test(k) ? typeof v : shape(v)]),
    );
  }
  return typeof value;
}

describe('live order updates', () => {
  it("pushes every change of an order, in order, to each socket of its tenant and to no other tenant's", async () => {
    const [acme1, acme2, globex] = [await connect(ACME), await connect(ACME), await connect(GLOBEX)];

    const created = await createOrder(ACME);
    const first = await patchNote(ACME, created.orderId, created.version, 'first');
    const second = await patchNote(ACME, created.orderId, first.version, 'second');

    for (const socket of [acme1, acme2]) {
      const received = [await socket.next(), await socket.next(), await socket.next()];
      expect(received).toEqual(
        [created, first, second].map((order) => ({
          type: 'order',
          id: created.orderId,
          status: 'pending',
          version: order.version,
          at: order.updatedAt,
        })),
      );
    }
    // Globex's first message is about Globex's own order: none of Acme's three reached it.
    const globexOrder = await createOrder(GLOBEX);
    expect(await globex.next()).toMatchObject({ type: 'order', id: globexOrder.orderId, version: 1 });
  });

  it('narrows a subscribed socket to its order, and refuses another tenant’s order storing nothing', async () => {
    const acmeOrder = await createOrder(ACME);
    const subscribed = await connect(ACME);
    const globex = await connect(GLOBEX);

    subscribed.send({ action: 'subscribe', orderId: acmeOrder.orderId });
    expect(await subscribed.next()).toEqual({ type: 'subscribed', orderId: acmeOrder.orderId });
    globex.send({ action: 'subscribe', orderId: acmeOrder.orderId });
    expect(await globex.next()).toMatchObject({
      type: 'error',
      code: 'NotFound',
      message: `order '${acmeOrder.orderId}' not found`,
    });

    const other = await createOrder(ACME);
    const patched = await patchNote(ACME, acmeOrder.orderId, acmeOrder.version, 'watched');
    expect(await subscribed.next()).toMatchObject({ id: acmeOrder.orderId, version: patched.version });
    expect(other.orderId).not.toBe(acmeOrder.orderId);

    // The refused subscription left Globex's socket hearing about all of Globex's orders.
    const globexOrder = await createOrder(GLOBEX);
    expect(await globex.next()).toMatchObject({ id: globexOrder.orderId });
  });

  it('answers an unknown action and a malformed subscribe with an error that says what was wrong', async () => {
    const socket = await connect(ACME);

    socket.send({ action: 'dance' });
    expect(await socket.next()).toMatchObject({
      type: 'error',
      code: 'ValidationError',
      message: `unknown action "dance": send one of 'subscribe'`,
    });
    socket.send({ action: 'subscribe', orderId: 'not-an-order', extra: 1 });
    expect(await socket.next()).toMatchObject({ type: 'error', code: 'ValidationError' });
    socket.send('not json');
    expect(await socket.next()).toMatchObject({
      code: 'ValidationError',
      message: expect.stringMatching(/JSON/),
    });
  });

  it('refuses a handshake without a token or with one that does not verify (401)', async () => {
    await expect(LiveSocket.open(webSocketUrl)).rejects.toThrow('handshake refused: 401');
    await expect(LiveSocket.open(webSocketUrl, 'a.b.c')).rejects.toThrow('handshake refused: 401');
  });

  it('deletes a closed socket’s connection, and one that vanished without $disconnect on the next push', async () => {
    const token = member(ACME);
    const tenantId = tenantIdOf(token);
    const socket = await connect(ACME);
    const stored = async (connectionId: string) =>
      (
        await dynamo.send(
          new GetCommand({ TableName: tableName, Key: connectionKeys.connection(tenantId, connectionId) }),
        )
      ).Item;
    const connectEvents = e2e.events.filter(
      ({ event }) =>
        (event as { requestContext?: { eventType?: string } }).requestContext?.eventType === 'CONNECT',
    );
    const ownConnect = connectEvents.at(-1)?.event as { requestContext: { connectionId: string } };
    const connectionId = ownConnect.requestContext.connectionId;
    expect(await stored(connectionId)).toMatchObject({ tenantId, connectionId });

    await socket.close();
    await until(async () => (await stored(connectionId)) === undefined);

    // A connection API Gateway no longer knows (its client vanished, $disconnect never ran): 410 on the next push.
    const vanished = 'VanishedConn0000=';
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: connectionCodec.toItem({
          tenantId,
          userId: 'someone',
          connectionId: vanished,
          connectedAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + 600,
        }),
      }),
    );
    await createOrder(ACME);
    await until(async () => (await stored(vanished)) === undefined);
  });

  it('hands the functions events shaped like AWS’s captures (same keys, same types)', () => {
    const events = e2e.events.map(({ event }) => event as Record<string, unknown>);
    const context = (event: Record<string, unknown>) => event.requestContext as Record<string, unknown>;
    const withoutAuthorizer = (event: Record<string, unknown>) => {
      const { authorizer, ...rest } = context(event);
      expect(authorizer).toMatchObject({ tenantId: expect.any(String), tokenExpiresAt: expect.any(String) });
      return { ...event, requestContext: rest };
    };

    const authorizerEvent = events.find(
      (e) => e.type === 'REQUEST' && String(e.methodArn).endsWith('$connect'),
    );
    expect(shape(authorizerEvent)).toEqual(shape(awsEvent('websocket_connect-authorizer-request.json')));

    const connect = events.find((e) => e.type === undefined && context(e)?.eventType === 'CONNECT');
    const { queryStringParameters, multiValueQueryStringParameters, ...connectEvent } = connect ?? {};
    expect(queryStringParameters).toEqual({ token: expect.any(String) });
    expect(multiValueQueryStringParameters).toBeDefined();
    expect(shape(withoutAuthorizer(connectEvent))).toEqual(shape(awsEvent('websocket_connect.json')));

    const message = events.find((e) => context(e)?.eventType === 'MESSAGE');
    expect(shape(withoutAuthorizer(message ?? {}))).toEqual(shape(awsEvent('websocket_message.json')));

    const stream = events.find(
      (e) => Array.isArray(e.Records) && String(JSON.stringify(e)).includes('aws:dynamodb'),
    );
    const record = ((stream?.Records ?? []) as unknown[])[0];
    expect(record).toBeDefined();
    const captured = awsEvent<{ Records: unknown[] }>('dynamodb-stream_base.json').Records[0];
    expect(shape(record)).toEqual(shape(captured));
  });
});

/** Polls `condition` (the stream and the broadcaster run asynchronously) until it holds; guarded, not timed. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met within 10 s');
}
