import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { awsEvent } from '../../local/test/support/aws-events';
import { readLiveConnectionsConfig } from '../../services/live-connections/config';
import { createLiveConnectionsHandler } from '../../services/live-connections/handler';
import { MAX_CONNECTION_SECONDS } from '../../shared/codecs/connection-codec';
import { documentClient } from '../../shared/dynamo';
import { connectionKeys } from '../../shared/keys/connection-keys';
import { orderKeys } from '../../shared/keys/order-keys';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { TEST_ENV } from '../support/test-env';
import { UNSCOPED_TENANT_DATA } from '../support/unscoped-tenant-data';

jest.setTimeout(30_000);

const ACME = 'tacme000000000001';
const GLOBEX = 'tglobex0000000001';
const GLOBEX_ORDER = '01JGGGGGGGGGGGGGGGGGGGGGGG';
const ACME_ORDER = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const context = { awsRequestId: 'lambda-request-id' } as Context;

let engine: DynamoEngine;
let handler: ReturnType<typeof createLiveConnectionsHandler>;

beforeAll(async () => {
  engine = await startDynamo();
  handler = createLiveConnectionsHandler(readLiveConnectionsConfig({ ...TEST_ENV }), UNSCOPED_TENANT_DATA);
  for (const [tenantId, orderId] of [
    [ACME, ACME_ORDER],
    [GLOBEX, GLOBEX_ORDER],
  ] as const) {
    await documentClient.send(
      new PutCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Item: { ...orderKeys.order(tenantId, orderId), orderId },
      }),
    );
  }
});

afterAll(async () => {
  await engine?.stop();
});

let counter = 0;

/** An event as API Gateway builds it (the captures), on a connection the `$connect` authorizer admitted. */
function event(
  routeKey: string,
  options: {
    connectionId: string;
    tenantId?: string;
    tokenExpiresAt?: number;
    connectedAt?: number;
    body?: string;
  },
) {
  const capture = awsEvent(routeKey === '$connect' ? 'websocket_connect.json' : 'websocket_message.json');
  counter += 1;
  return {
    ...capture,
    ...(options.body === undefined ? {} : { body: options.body }),
    requestContext: {
      ...(capture.requestContext as Record<string, unknown>),
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      connectionId: options.connectionId,
      connectedAt: options.connectedAt ?? Date.now(),
      requestId: `request-${counter}`,
      authorizer: {
        principalId: 'user-1',
        tenantId: options.tenantId ?? ACME,
        userId: 'user-1',
        role: 'member',
        tokenExpiresAt: String(options.tokenExpiresAt ?? Math.floor(Date.now() / 1000) + 3600),
        integrationLatency: 12,
      },
    },
  };
}

async function stored(tenantId: string, connectionId: string) {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: TEST_ENV.TABLE_NAME,
      Key: connectionKeys.connection(tenantId, connectionId),
    }),
  );
  return Item;
}

const reply = (result: { body?: string }) => JSON.parse(result.body ?? '{}') as Record<string, unknown>;

describe('the WebSocket connection routes', () => {
  it('stores a connection under its tenant on $connect, expiring when the token does', async () => {
    const connectedAt = Date.now();
    const exp = Math.floor(connectedAt / 1000) + 600;

    const result = await handler(
      event('$connect', { connectionId: 'conn-1', connectedAt, tokenExpiresAt: exp }),
      context,
    );

    expect(result).toEqual({ statusCode: 200 });
    expect(await stored(ACME, 'conn-1')).toEqual({
      ...connectionKeys.connection(ACME, 'conn-1'),
      entity: 'connection',
      tenantId: ACME,
      userId: 'user-1',
      connectionId: 'conn-1',
      connectedAt: new Date(connectedAt).toISOString(),
      expiresAt: exp,
    });
  });

  it("caps the TTL at API Gateway's 2-hour connection limit when the token lives longer", async () => {
    const connectedAt = Date.now();
    const exp = Math.floor(connectedAt / 1000) + 5 * 3600;

    await handler(
      event('$connect', { connectionId: 'conn-long', connectedAt, tokenExpiresAt: exp }),
      context,
    );

    expect((await stored(ACME, 'conn-long'))?.expiresAt).toBe(
      Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS,
    );
  });

  it('refuses $connect when the token has expired by then, storing nothing', async () => {
    const connectedAt = Date.now();
    const result = await handler(
      event('$connect', {
        connectionId: 'conn-late',
        connectedAt,
        tokenExpiresAt: Math.floor(connectedAt / 1000) - 1,
      }),
      context,
    );

    expect(result.statusCode).toBe(400);
    expect(await stored(ACME, 'conn-late')).toBeUndefined();
  });

  it('refuses an event without the authorizer context (a misconfigured route) with 401', async () => {
    const { requestContext, ...rest } = event('$connect', { connectionId: 'conn-anon' });
    const { authorizer, ...unauthorized } = requestContext;

    const result = await handler({ ...rest, requestContext: unauthorized }, context);

    expect(authorizer).toBeDefined();
    expect(result.statusCode).toBe(401);
    expect(await stored(ACME, 'conn-anon')).toBeUndefined();
  });

  it('deletes the connection on $disconnect', async () => {
    await handler(event('$connect', { connectionId: 'conn-bye' }), context);
    await handler(event('$disconnect', { connectionId: 'conn-bye' }), context);
    expect(await stored(ACME, 'conn-bye')).toBeUndefined();
  });

  it('narrows a connection to an order of its own tenant, and widens it again', async () => {
    await handler(event('$connect', { connectionId: 'conn-sub' }), context);

    const narrowed = await handler(
      event('subscribe', {
        connectionId: 'conn-sub',
        body: JSON.stringify({ action: 'subscribe', orderId: ACME_ORDER }),
      }),
      context,
    );
    expect(reply(narrowed)).toEqual({ type: 'subscribed', orderId: ACME_ORDER });
    expect((await stored(ACME, 'conn-sub'))?.orderId).toBe(ACME_ORDER);

    const widened = await handler(
      event('subscribe', { connectionId: 'conn-sub', body: '{"action":"subscribe"}' }),
      context,
    );
    expect(reply(widened)).toEqual({ type: 'subscribed' });
    expect((await stored(ACME, 'conn-sub'))?.orderId).toBeUndefined();
  });

  it("refuses another tenant's order as not found and stores nothing", async () => {
    await handler(event('$connect', { connectionId: 'conn-spy' }), context);

    const result = await handler(
      event('subscribe', {
        connectionId: 'conn-spy',
        body: JSON.stringify({ action: 'subscribe', orderId: GLOBEX_ORDER }),
      }),
      context,
    );

    expect(result.statusCode).toBe(404);
    expect(reply(result)).toEqual({
      type: 'error',
      code: 'NotFound',
      message: `order '${GLOBEX_ORDER}' not found`,
      requestId: expect.stringMatching(/^request-/),
    });
    expect((await stored(ACME, 'conn-spy'))?.orderId).toBeUndefined();
  });

  it('refuses a subscription for a connection that is no longer stored, creating nothing', async () => {
    const result = await handler(
      event('subscribe', { connectionId: 'conn-gone', body: '{"action":"subscribe"}' }),
      context,
    );
    expect(reply(result)).toMatchObject({ code: 'NotFound', message: expect.stringMatching(/reconnect/) });
    expect(await stored(ACME, 'conn-gone')).toBeUndefined();
  });

  it.each([
    ['{"action":"subscribe","orderId":"nope"}', /orderId: must be an order id/],
    ['{"action":"subscribe","tenantId":"tglobex0000000001"}', /Unrecognized key/],
  ])('refuses the subscribe message %s saying what was wrong', async (body, message) => {
    await handler(event('$connect', { connectionId: 'conn-bad' }), context);
    const result = await handler(event('subscribe', { connectionId: 'conn-bad', body }), context);
    expect(reply(result)).toMatchObject({
      type: 'error',
      code: 'ValidationError',
      message: expect.stringMatching(message),
    });
  });

  it.each([
    ['{"action":"dance"}', 'unknown action "dance": send one of \'subscribe\''],
    [
      '{"hello":1}',
      'the message has no "action": send one of \'subscribe\', e.g. {"action":"subscribe","orderId":"…"}',
    ],
    ['hello', 'messages must be JSON, e.g. {"action":"subscribe","orderId":"…"}'],
  ])('answers %s on $default with a clear error', async (body, message) => {
    const result = await handler(event('$default', { connectionId: 'conn-x', body }), context);
    expect(reply(result)).toMatchObject({ type: 'error', code: 'ValidationError', message });
  });
});
