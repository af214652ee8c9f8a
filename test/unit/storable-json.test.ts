import type * as z from 'zod';
import { catalogItemInputSchema } from '../../services/catalog/catalog-schemas';
import { ingestEventSchema } from '../../services/event-projector/ingest-event-schema';
import { createJobSchema } from '../../services/jobs/job-schemas';
import { createOrderSchema, updateOrderSchema } from '../../services/orders/order-schemas';
import { onboardTenantSchema } from '../../services/tenants/tenant-schemas';
import { DYNAMODB_MAX_NESTING, storableJsonProblem } from '../../shared/storable-json';
import { parseWith } from '../../shared/validation';

const deep = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value;
};

describe('client JSON that DynamoDB can store', () => {
  it.each([
    ['an unsafe integer', JSON.parse('9007199254740993')],
    ['1e308', 1e308],
    ['Infinity (1e400 as parsed)', JSON.parse('1e400')],
    ['a 50-digit integer', JSON.parse('9'.repeat(50))],
    ['a negative unsafe integer', -(2 ** 60)],
    ['a magnitude below 1e-130', 1e-200],
  ])('refuses %s, naming where it is', (_what, number) => {
    expect(storableJsonProblem({ items: [{ quantity: number }] }, 8)).toEqual({
      path: ['items', 0, 'quantity'],
      message: expect.stringMatching(/number/),
    });
  });

  it.each([0, -0, 1, 0.1, 1e-130, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 123.456])(
    'accepts %p',
    (number) => {
      expect(storableJsonProblem({ n: [number] }, 8)).toBeUndefined();
    },
  );

  it('counts objects and arrays as levels and refuses one more than allowed', () => {
    expect(storableJsonProblem(deep(8), 8)).toBeUndefined();
    expect(storableJsonProblem(deep(9), 8)).toMatchObject({ message: expect.stringContaining('at most 8') });
    expect(storableJsonProblem([[[]]], 3)).toBeUndefined();
    expect(storableJsonProblem([[[[]]]], 3)).toMatchObject({ path: [0, 0, 0] });
  });

  it('refuses a value nested a hundred thousand levels without exhausting the stack', () => {
    const hostile = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(storableJsonProblem(hostile, DYNAMODB_MAX_NESTING)).toMatchObject({
      message: expect.stringContaining('nested too deeply'),
    });
  });
});

describe('the body of POST /jobs', () => {
  it('names the order index and field of a number DynamoDB cannot store', () => {
    const body = JSON.parse(
      `{"type":"orders.import","orders":[{"items":[]},{"items":[{"sku":"A","quantity":${'1'.repeat(50)}}]}]}`,
    );
    expect(() => parseWith(createJobSchema, body, 'request body')).toThrow(
      /^invalid request body: orders\.1\.items\.0\.quantity: number must be at most 9007199254740991/,
    );
  });

  it('keeps the messages whole (not cut at the quoting limit)', () => {
    const body = { type: 'orders.import', orders: [deep(40)] };
    expect(() => parseWith(createJobSchema, body, 'request body')).toThrow(
      /orders\.0(\.a)+: nested too deeply: at most 16 levels of objects and arrays$/,
    );
  });
});

describe('every request body the API stores', () => {
  /** A valid body of each schema; each number in it is replaced by each hostile number in turn. */
  const bodies: Array<[string, z.ZodType, string]> = [
    ['POST /orders', createOrderSchema, '{"items":[{"sku":"MUG-1","quantity":1}],"note":"n"}'],
    ['PATCH /orders/{orderId}', updateOrderSchema, '{"version":1,"status":"confirmed"}'],
    [
      'PUT /catalog/{sku}',
      catalogItemInputSchema,
      '{"name":"Mug","price":1299,"currency":"EUR","public":true}',
    ],
    ['POST /tenants', onboardTenantSchema, '{"name":"Acme","tier":"basic","adminEmail":"a@example.com"}'],
    [
      'POST /jobs',
      createJobSchema,
      '{"type":"orders.import","orders":[{"items":[{"sku":"MUG-1","quantity":1}],"x":1}]}',
    ],
    [
      'POST /events',
      ingestEventSchema,
      '{"orderId":"01J0000000000000000000000A","type":"shipped","occurredAt":"2026-01-01T10:00:00Z"}',
    ],
  ];
  const hostile = ['9007199254740993', '1e308', '1e400', '9'.repeat(50), '1e-200', '-1e400'];

  it.each(bodies)(
    '%s accepts only what DynamoDB can store, whatever number is sent',
    (_route, schema, valid) => {
      expect(schema.safeParse(JSON.parse(valid)).success).toBe(true);
      const numbers = [...valid.matchAll(/(?<=[:,[])\d+(?=[,}\]])/g)];
      for (const number of hostile) {
        for (const match of numbers) {
          const index = match.index ?? 0;
          const text = `${valid.slice(0, index)}${number}${valid.slice(index + match[0].length)}`;
          const parsed = schema.safeParse(JSON.parse(text));
          if (parsed.success)
            expect([text, storableJsonProblem(parsed.data, DYNAMODB_MAX_NESTING)]).toEqual([text, undefined]);
        }
      }
    },
  );
});
