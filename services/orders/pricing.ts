import type { CatalogItem } from '../../shared/codecs/catalog-item-codec';
import { ValidationError } from '../../shared/errors';

/** What pricing needs from a catalog item. Prices are integers in the currency's minor unit (cents). */
export type CatalogPrice = Pick<CatalogItem, 'sku' | 'name' | 'price' | 'currency'>;

/** One requested line of an order. */
export interface RequestedItem {
  readonly sku: string;
  readonly quantity: number;
}

/** One priced line of an order, as stored and returned. */
export interface OrderLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly lineTotal: number;
}

/** The priced lines of an order, its single currency and its total in minor units. */
export interface PricedOrder {
  readonly items: OrderLine[];
  readonly currency: string;
  readonly total: number;
}

function assertSafeAmount(amount: number, what: string): void {
  // Integer minor units keep totals exact; beyond 2^53 they would silently stop being exact.
  if (!Number.isSafeInteger(amount) || amount < 0) throw new ValidationError(`${what} is out of range`);
}

/**
 * Prices the requested items from the tenant's catalog. Totals are computed here, never taken from the
 * client, in integer minor units so there is nothing to round. Unknown SKUs are named in one error;
 * an order is in exactly one currency.
 */
export function priceOrder(
  requested: readonly RequestedItem[],
  catalog: ReadonlyMap<string, CatalogPrice>,
): PricedOrder {
  if (requested.length === 0) throw new ValidationError('an order needs at least one item');
  const unknown = requested.filter((item) => !catalog.has(item.sku)).map((item) => item.sku);
  if (unknown.length > 0) {
    throw new ValidationError(`unknown sku${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
      unknownSkus: unknown,
    });
  }
  const lines: OrderLine[] = [];
  const currencies = new Set<string>();
  let total = 0;
  for (const item of requested) {
    const entry = catalog.get(item.sku);
    if (!entry) continue;
    if (!Number.isSafeInteger(entry.price) || entry.price < 0) {
      throw new Error(`catalog item '${entry.sku}' has an invalid price`);
    }
    const lineTotal = entry.price * item.quantity;
    assertSafeAmount(lineTotal, `the total of sku '${item.sku}'`);
    total += lineTotal;
    currencies.add(entry.currency);
    lines.push({
      sku: item.sku,
      name: entry.name,
      quantity: item.quantity,
      unitPrice: entry.price,
      lineTotal,
    });
  }
  assertSafeAmount(total, 'the order total');
  const [currency, ...others] = [...currencies];
  if (currency === undefined) throw new ValidationError('an order needs at least one item');
  if (others.length > 0) {
    throw new ValidationError(
      `all items of an order must be priced in one currency; found ${[...currencies].sort().join(', ')}`,
    );
  }
  return { items: lines, currency, total };
}
