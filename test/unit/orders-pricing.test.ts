import { type CatalogPrice, priceOrder } from '../../services/orders/pricing';
import { ValidationError } from '../../shared/errors';

function catalog(...entries: CatalogPrice[]): Map<string, CatalogPrice> {
  return new Map(entries.map((e) => [e.sku, e]));
}

const mug: CatalogPrice = { sku: 'MUG-1', name: 'Mug', price: 1299, currency: 'EUR' };
const tee: CatalogPrice = { sku: 'TEE.L', name: 'T-shirt L', price: 1999, currency: 'EUR' };
const cap: CatalogPrice = { sku: 'cap_blue', name: 'Cap', price: 999, currency: 'USD' };

describe('priceOrder', () => {
  it('prices each line from the catalog and sums the total in minor units', () => {
    const priced = priceOrder(
      [
        { sku: 'MUG-1', quantity: 3 },
        { sku: 'TEE.L', quantity: 2 },
      ],
      catalog(mug, tee),
    );
    expect(priced).toEqual({
      currency: 'EUR',
      total: 3 * 1299 + 2 * 1999,
      items: [
        { sku: 'MUG-1', name: 'Mug', quantity: 3, unitPrice: 1299, lineTotal: 3897 },
        { sku: 'TEE.L', name: 'T-shirt L', quantity: 2, unitPrice: 1999, lineTotal: 3998 },
      ],
    });
  });

  it('keeps totals exact where floating-point currency math would drift', () => {
    // 0.1 + 0.2 style amounts: 10 and 20 cents, many times over.
    const priced = priceOrder(
      [
        { sku: 'a', quantity: 1000 },
        { sku: 'b', quantity: 1000 },
        { sku: 'c', quantity: 7 },
      ],
      catalog(
        { sku: 'a', name: 'A', price: 10, currency: 'EUR' },
        { sku: 'b', name: 'B', price: 20, currency: 'EUR' },
        { sku: 'c', name: 'C', price: 33, currency: 'EUR' },
      ),
    );
    expect(priced.total).toBe(30231);
    expect(Number.isInteger(priced.total)).toBe(true);
  });

  it('accepts free items (price 0)', () => {
    const priced = priceOrder(
      [{ sku: 'gift', quantity: 2 }],
      catalog({ sku: 'gift', name: 'Gift', price: 0, currency: 'EUR' }),
    );
    expect(priced.total).toBe(0);
  });

  it('rejects unknown skus with a validation error naming every one of them', () => {
    const attempt = () =>
      priceOrder(
        [
          { sku: 'MUG-1', quantity: 1 },
          { sku: 'NOPE-1', quantity: 1 },
          { sku: 'NOPE-2', quantity: 1 },
        ],
        catalog(mug),
      );
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow('unknown skus: NOPE-1, NOPE-2');
  });

  it('rejects an order whose items are priced in different currencies', () => {
    const attempt = () =>
      priceOrder(
        [
          { sku: 'MUG-1', quantity: 1 },
          { sku: 'cap_blue', quantity: 1 },
        ],
        catalog(mug, cap),
      );
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow('all items of an order must be priced in one currency; found EUR, USD');
  });

  it('rejects a total beyond exact integer range instead of losing precision', () => {
    const huge = { sku: 'yacht', name: 'Yacht', price: Number.MAX_SAFE_INTEGER, currency: 'EUR' };
    expect(() => priceOrder([{ sku: 'yacht', quantity: 2 }], catalog(huge))).toThrow(ValidationError);
  });

  it('refuses to price from a catalog entry whose price is not an integer', () => {
    const broken = { sku: 'x', name: 'X', price: 12.5, currency: 'EUR' };
    expect(() => priceOrder([{ sku: 'x', quantity: 1 }], catalog(broken))).toThrow('invalid price');
  });

  it('rejects an empty order', () => {
    expect(() => priceOrder([], catalog(mug))).toThrow(ValidationError);
  });
});
