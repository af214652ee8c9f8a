import { catalogItemInputSchema, listCatalogQuerySchema } from '../../services/catalog/catalog-schemas';
import { skuSchema } from '../../shared/sku';

const valid = { name: 'Widget', price: 1999, currency: 'EUR', public: true };

describe('skuSchema', () => {
  it.each([['A'], ['sku-1'], ['SKU_1.v2'], ['9'.repeat(64)]])('accepts %p', (sku) => {
    expect(skuSchema.safeParse(sku).success).toBe(true);
  });

  it.each([[''], ['.hidden'], ['_x'], ['a#b'], ['a/b'], ['a b'], ['é'], ['9'.repeat(65)]])(
    'rejects %p',
    (sku) => {
      expect(skuSchema.safeParse(sku).success).toBe(false);
    },
  );
});

describe('catalogItemInputSchema', () => {
  it('accepts a complete item and trims the name', () => {
    expect(catalogItemInputSchema.parse({ ...valid, name: '  Widget  ' })).toEqual(valid);
  });

  it('accepts the price bounds 0 and 100000000', () => {
    expect(catalogItemInputSchema.safeParse({ ...valid, price: 0 }).success).toBe(true);
    expect(catalogItemInputSchema.safeParse({ ...valid, price: 100_000_000 }).success).toBe(true);
  });

  it.each([
    ['an unknown property', { ...valid, sku: 'other' }],
    ['a price as a string', { ...valid, price: '1999' }],
    ['a fractional price', { ...valid, price: 0.5 }],
    ['a price above the maximum', { ...valid, price: 100_000_001 }],
    ['a two-letter currency', { ...valid, currency: 'EU' }],
    ['a whitespace-only name', { ...valid, name: '   ' }],
    ['public as a string', { ...valid, public: 'true' }],
  ])('rejects %s', (_, body) => {
    expect(catalogItemInputSchema.safeParse(body).success).toBe(false);
  });
});

describe('listCatalogQuerySchema', () => {
  it('defaults the limit to 50', () => {
    expect(listCatalogQuerySchema.parse({})).toEqual({ limit: 50 });
  });

  it('parses the limit from its string form and keeps the token', () => {
    expect(listCatalogQuerySchema.parse({ limit: '100', nextToken: 'abc' })).toEqual({
      limit: 100,
      nextToken: 'abc',
    });
  });

  it.each([['0'], ['101'], ['1e2'], [' 5'], ['0x10'], ['']])('rejects limit %p', (limit) => {
    expect(listCatalogQuerySchema.safeParse({ limit }).success).toBe(false);
  });

  it('rejects unknown parameters', () => {
    expect(listCatalogQuerySchema.safeParse({ tenantId: 't1' }).success).toBe(false);
  });
});
