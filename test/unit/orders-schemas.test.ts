import {
  cancelOrderQuerySchema,
  createOrderSchema,
  idempotencyKeySchema,
  listOrdersQuerySchema,
  updateOrderSchema,
} from '../../services/orders/order-schemas';
import { ValidationError } from '../../shared/errors';
import { parseWith } from '../../shared/validation';

const item = { sku: 'MUG-1', quantity: 2 };

describe('createOrderSchema', () => {
  it('accepts items and an optional note', () => {
    expect(createOrderSchema.parse({ items: [item], note: 'gift wrap' })).toEqual({
      items: [item],
      note: 'gift wrap',
    });
    expect(createOrderSchema.parse({ items: [item] })).toEqual({ items: [item] });
  });

  it('rejects unknown properties, including client-chosen prices and totals', () => {
    expect(() => parseWith(createOrderSchema, { items: [item], total: 1 }, 'request body')).toThrow(
      /invalid request body: .*Unrecognized key.*total/,
    );
    expect(() =>
      parseWith(createOrderSchema, { items: [{ ...item, unitPrice: 1 }] }, 'request body'),
    ).toThrow(/items\.0: .*Unrecognized key.*unitPrice/);
  });

  it('quotes at most a short prefix of a huge unknown key in its message', () => {
    const huge = 'k'.repeat(1024 * 1024);
    let message = '';
    try {
      parseWith(createOrderSchema, { items: [item], [huge]: 1 }, 'request body');
    } catch (error) {
      message = error instanceof ValidationError ? error.message : '';
    }
    expect(message).toMatch(/^invalid request body: Unrecognized key: "kkkk.*… \(\d+ characters\)$/);
    expect(message.length).toBeLessThan(200);
  });

  it('requires between 1 and 50 items', () => {
    expect(createOrderSchema.safeParse({ items: [] }).success).toBe(false);
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
    expect(createOrderSchema.safeParse({ items: items(50) }).success).toBe(true);
    expect(createOrderSchema.safeParse({ items: items(51) }).success).toBe(false);
  });

  it('names a sku that appears twice', () => {
    expect(() =>
      parseWith(createOrderSchema, { items: [item, { ...item, quantity: 1 }] }, 'request body'),
    ).toThrow("items.1.sku: duplicate sku 'MUG-1'");
  });

  it.each([0, -1, 1001, 1.5, '2'])('rejects quantity %p', (quantity) => {
    expect(createOrderSchema.safeParse({ items: [{ sku: 'MUG-1', quantity }] }).success).toBe(false);
  });

  it.each(['', '-lead', 'has space', 'TENANT#x', 'a'.repeat(65), 'ü'])('rejects sku %p', (sku) => {
    expect(createOrderSchema.safeParse({ items: [{ sku, quantity: 1 }] }).success).toBe(false);
  });

  it.each(['a', 'A.b_c-9', 'x'.repeat(64)])('accepts sku %p', (sku) => {
    expect(createOrderSchema.safeParse({ items: [{ sku, quantity: 1 }] }).success).toBe(true);
  });

  it('caps the note at 500 characters', () => {
    expect(createOrderSchema.safeParse({ items: [item], note: 'n'.repeat(500) }).success).toBe(true);
    expect(createOrderSchema.safeParse({ items: [item], note: 'n'.repeat(501) }).success).toBe(false);
  });
});

describe('listOrdersQuerySchema', () => {
  it('turns limit into a number and leaves the default to the service', () => {
    expect(listOrdersQuerySchema.parse({ limit: '25', status: 'shipped' })).toEqual({
      limit: 25,
      status: 'shipped',
    });
    expect(listOrdersQuerySchema.parse({})).toEqual({});
  });

  it.each(['0', '101', '-1', '1.5', 'ten', '', ' 5', '1e2'])('rejects limit %p', (limit) => {
    expect(() => parseWith(listOrdersQuerySchema, { limit }, 'query string')).toThrow(ValidationError);
  });

  it('rejects unknown statuses and unknown parameters', () => {
    expect(listOrdersQuerySchema.safeParse({ status: 'lost' }).success).toBe(false);
    expect(() => parseWith(listOrdersQuerySchema, { tenantId: 't' }, 'query string')).toThrow(
      /Unrecognized key.*tenantId/,
    );
  });
});

describe('updateOrderSchema', () => {
  it('accepts a status change, a note change or a note removal with the version', () => {
    expect(updateOrderSchema.parse({ version: 1, status: 'confirmed' })).toEqual({
      version: 1,
      status: 'confirmed',
    });
    expect(updateOrderSchema.parse({ version: 2, note: null })).toEqual({ version: 2, note: null });
  });

  it('requires a version of at least 1', () => {
    expect(updateOrderSchema.safeParse({ status: 'confirmed' }).success).toBe(false);
    expect(updateOrderSchema.safeParse({ version: 0, status: 'confirmed' }).success).toBe(false);
  });

  it('requires at least one of status or note', () => {
    expect(() => parseWith(updateOrderSchema, { version: 1 }, 'request body')).toThrow(
      'at least one of status or note is required',
    );
  });

  it('rejects fields the client may not set', () => {
    expect(() =>
      parseWith(updateOrderSchema, { version: 1, status: 'confirmed', total: 0 }, 'request body'),
    ).toThrow(/Unrecognized key.*total/);
  });
});

describe('idempotencyKeySchema and cancelOrderQuerySchema', () => {
  it('accepts a missing key and keys of 1 to 128 allowed characters', () => {
    expect(idempotencyKeySchema.parse(undefined)).toBeUndefined();
    expect(idempotencyKeySchema.parse('order:2024-01-01_a.b-c')).toBe('order:2024-01-01_a.b-c');
    expect(idempotencyKeySchema.safeParse('k'.repeat(128)).success).toBe(true);
  });

  it.each(['', 'k'.repeat(129), 'has space', 'slash/no', 'ключ'])('rejects key %p', (key) => {
    expect(idempotencyKeySchema.safeParse(key).success).toBe(false);
  });

  it('accepts an optional whole-number version for cancelling', () => {
    expect(cancelOrderQuerySchema.parse({ version: '3' })).toEqual({ version: 3 });
    expect(cancelOrderQuerySchema.safeParse({ version: 'x' }).success).toBe(false);
    expect(cancelOrderQuerySchema.safeParse({ force: 'true' }).success).toBe(false);
  });
});
