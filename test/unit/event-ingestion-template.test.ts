import { createVtlInput, renderVtl } from 'cdk-local-cloud/testing';
import {
  acceptedResponseTemplate,
  clientErrorResponseTemplate,
  putEventRequestTemplate,
  serverErrorResponseTemplate,
} from '../../infra/event-ingestion-templates';
import { orderEventKeys } from '../../shared/keys/order-event-keys';

/**
 * The request template of `POST /events` is the only code between a partner's body and the table, so it is
 * rendered here with the local VTL engine (Velocity semantics, AWS's `$util`) and the exact PutItem that
 * DynamoDB would receive is asserted, for every injection shape we know.
 */
const TENANT = 'tacmeacmeacmeacme';
const ORDER = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const REQUEST_ID = 'c0ffee00-1111-4222-8333-444455556666';
const TABLE = 'SaasOrdersTable';

function render(template: string, body: unknown, context: Record<string, unknown> = {}): string {
  return renderVtl(template, {
    input: createVtlInput(typeof body === 'string' ? body : JSON.stringify(body), {
      path: {},
      querystring: {},
      header: {},
    }),
    context: {
      requestId: REQUEST_ID,
      requestTimeEpoch: 1767225600000,
      authorizer: { tenantId: TENANT, role: 'member' },
      responseOverride: { status: null, header: {} },
      ...context,
    },
    stageVariables: {},
  });
}

/** The PutItem request the template produces for `body`, parsed as DynamoDB would parse it. */
function putItem(body: Record<string, unknown>): {
  TableName: string;
  Item: Record<string, unknown>;
  ConditionExpression: string;
} {
  return JSON.parse(render(putEventRequestTemplate(TABLE), body));
}

const event = { orderId: ORDER, type: 'shipped', occurredAt: '2026-01-01T10:00:00Z' };
const keys = orderEventKeys.event(TENANT, ORDER, REQUEST_ID);

function expectedItem(extra: Record<string, string> = {}, order = ORDER) {
  return {
    PK: { S: `TENANT#${TENANT}#ORDER#${order}#EVENTS` },
    SK: { S: `EVENT#${REQUEST_ID}` },
    entity: { S: 'order-event' },
    tenantId: { S: TENANT },
    eventId: { S: REQUEST_ID },
    orderId: { S: order },
    type: { S: 'shipped' },
    occurredAt: { S: '2026-01-01T10:00:00Z' },
    receivedAt: { N: '1767225600000' },
    status: { S: 'received' },
    ...Object.fromEntries(Object.entries(extra).map(([name, value]) => [name, { S: value }])),
  };
}

const ATTACKS: ReadonlyArray<readonly [string, string]> = [
  ["a single quote (escapeJavaScript makes it \\')", "O'Hare"],
  ['a backslash before a quote', "\\'"],
  ['double quotes', 'say "hi"'],
  ['a trailing backslash', 'ends with \\'],
  ['escaped-looking text', '\\" \\\\" \\u0022 \\n'],
  ['newlines, tabs and other control characters', 'a\nb\r\nc\td\u0000e\u001f\u007f'],
  ['non-ASCII, astral and line-separator characters', 'é 漢字 😀 \u2028\u2029 \uFEFF'],
  ['an attribute injection', '", "PK": {"S": "TENANT#tother00000000000#ORDER#X#EVENTS"}, "x": {"S": "'],
  ['a break out of Item', '"}}, "ConditionExpression": "attribute_exists(PK)", "Item": {"a": {"S": "'],
  [
    'VTL references and directives',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the attack is VTL text, meant literally
    '$context.authorizer.tenantId ${tenantId} #set($tenantId = "tother") $util.escapeJavaScript("x")',
  ],
  ['a closing script tag', '</script><script>alert(1)</script>'],
  ['a 64 KB string', `${'x'.repeat(32 * 1024)}"'\\${'y'.repeat(32 * 1024)}`],
];

describe('the POST /events request template', () => {
  it('puts the event under the caller tenant, keyed by the request id, never overwriting', () => {
    const request = putItem(event);

    expect(request).toEqual({
      TableName: TABLE,
      Item: expectedItem(),
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(request.Item.PK).toEqual({ S: keys.PK });
    expect(request.Item.SK).toEqual({ S: keys.SK });
  });

  it.each(ATTACKS)(
    'stores %s in note and carrier literally, adding and changing no attribute',
    (_, attack) => {
      const request = putItem({ ...event, carrier: attack, note: attack });

      expect(request.Item).toEqual(expectedItem({ carrier: attack, note: attack }));
      expect(request.ConditionExpression).toBe('attribute_not_exists(PK)');
    },
  );

  it.each(ATTACKS)(
    'keeps %s in orderId inside the order part of the key, under the caller tenant',
    (_, attack) => {
      const request = putItem({ ...event, orderId: attack });

      expect(request.Item).toEqual(expectedItem({}, attack));
      expect(request.TableName).toBe(TABLE);
    },
  );

  it('ignores a tenantId, eventId or key in the body: the tenant comes only from the authorizer', () => {
    const request = putItem({
      ...event,
      tenantId: 'tother00000000000',
      eventId: 'mine',
      PK: 'x',
      status: 'accepted',
    });

    expect(request.Item).toEqual(expectedItem());
  });

  it.each([
    ['absent', {}],
    ['empty', { carrier: '', note: '' }],
    ['null', { carrier: null, note: null }],
  ])('leaves out carrier and note when they are %s', (_, fields) => {
    expect(putItem({ ...event, ...fields }).Item).toEqual(expectedItem());
  });

  it("shows why escapeJavaScript alone is not enough: its \\' is not JSON", () => {
    const naive = '{"note": {"S": "$util.escapeJavaScript($input.path(\'$.note\'))"}}';

    expect(() => JSON.parse(render(naive, { note: "O'Hare" }))).toThrow(SyntaxError);
    expect(
      JSON.parse(render(putEventRequestTemplate(TABLE), { ...event, note: "O'Hare" })).Item.note,
    ).toEqual({
      S: "O'Hare",
    });
  });
});

describe('the POST /events integration responses', () => {
  function respond(template: string, dynamoBody: string) {
    const responseOverride: Record<string, unknown> = { status: null, header: {} };
    const body = render(template, dynamoBody, { responseOverride });
    return { status: responseOverride.status, body: JSON.parse(body) as unknown };
  }

  it('answers a stored event with its id, the request id', () => {
    expect(respond(acceptedResponseTemplate, '{}')).toEqual({ status: null, body: { eventId: REQUEST_ID } });
  });

  it.each([
    [
      'the condition',
      'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
      409,
      { code: 'Conflict', message: 'this event is already recorded' },
    ],
    [
      'throttling',
      'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      503,
      { code: 'ServiceUnavailable', message: 'the event store is busy: retry with backoff' },
    ],
    [
      'a validation error',
      'com.amazon.coral.validate#ValidationException',
      null,
      { code: 'ValidationError', message: 'the event could not be stored as sent' },
    ],
  ])(
    'maps a DynamoDB 4xx for %s to its status, in the product error shape without DynamoDB’s message',
    (_, type, status, body) => {
      const reply = respond(
        clientErrorResponseTemplate,
        JSON.stringify({ __type: type, message: 'attribute PK of table X' }),
      );

      expect(reply).toEqual({ status, body: { ...body, requestId: REQUEST_ID } });
    },
  );

  it('answers anything else with a 500 body that carries only the request id', () => {
    expect(
      respond(serverErrorResponseTemplate, '{"__type":"InternalServerError","message":"disk on fire"}'),
    ).toEqual({
      status: null,
      body: { code: 'InternalError', message: 'internal error', requestId: REQUEST_ID },
    });
  });
});
