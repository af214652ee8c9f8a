import { importedOrderId } from '../../services/job-worker/orders-import';
import { jsonBytes, splitIntoChunks } from '../../services/jobs/import-chunks';
import { ORDER_ID_PATTERN } from '../../services/orders/order-schemas';

const order = (i: number, note = '') => ({
  items: [{ sku: `SKU-${i}`, quantity: 1 }],
  ...(note ? { note } : {}),
});

describe('splitting an import into stored chunks', () => {
  it('keeps every order, in order, each chunk starting at the index of its first order', () => {
    const orders = Array.from({ length: 1000 }, (_, i) => order(i, 'x'.repeat(i % 7 === 0 ? 400 : 10)));
    const chunks = splitIntoChunks(orders, 8 * 1024);

    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flatMap((c) => c.orders)).toEqual(orders);
    let next = 0;
    for (const chunk of chunks) {
      expect(chunk.offset).toBe(next);
      next += chunk.orders.length;
    }
  });

  it('never lets a chunk exceed the byte limit', () => {
    const orders = Array.from({ length: 300 }, (_, i) => order(i, 'n'.repeat(300)));
    for (const chunk of splitIntoChunks(orders, 4096)) {
      expect(chunk.orders.reduce<number>((sum, o) => sum + jsonBytes(o) + 1, 0)).toBeLessThanOrEqual(4096);
    }
  });

  it('puts a small import in a single chunk', () => {
    expect(splitIntoChunks([order(1), order(2)])).toEqual([{ offset: 0, orders: [order(1), order(2)] }]);
  });

  it('refuses an order larger than a chunk instead of storing an item DynamoDB would reject', () => {
    expect(() => splitIntoChunks([order(1), order(2, 'y'.repeat(500))], 100)).toThrow('order 1 is');
  });
});

describe('imported order ids', () => {
  const job = { jobId: '01JABCDEFGHJKMNPQRSTVWXYZ0', createdAt: '2026-03-01T10:00:00.000Z' };

  it('are the same for the same job and index, on every delivery', () => {
    expect(importedOrderId(job, 7)).toBe(importedOrderId({ ...job }, 7));
  });

  it('differ per index and per job, and are valid order ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => importedOrderId(job, i)));
    expect(ids.size).toBe(1000);
    expect(importedOrderId({ ...job, jobId: '01JABCDEFGHJKMNPQRSTVWXYZ1' }, 7)).not.toBe(
      importedOrderId(job, 7),
    );
    for (const id of ids) expect(id).toMatch(ORDER_ID_PATTERN);
  });

  it("sort at the job's creation time", () => {
    const later = { ...job, createdAt: '2026-03-01T10:00:00.001Z' };
    expect(importedOrderId(later, 0) > importedOrderId(job, 999)).toBe(true);
  });
});
