import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { ValidationError } from '../../shared/errors';
import { tenantId } from '../../shared/ids';
import { orderKeys } from '../../shared/keys/order-keys';

// How services/orders/orders-repository.ts checks tokens: the main listing pins PK; the status listing
// pins both the status partition and the tenant's order partition.
const tenantA = tenantId();
const tenantB = tenantId();
const orderId = '01JABCDEFGHJKMNPQRSTVWXYZ0';

const listing = (tenant: string) => ({ PK: orderKeys.partition(tenant) });
const statusListing = (tenant: string, status: string) => ({
  GSI1PK: orderKeys.statusPartition(tenant, status),
  PK: orderKeys.partition(tenant),
});

describe('order listing cursors', () => {
  it('round-trip the last evaluated key of the tenant listing', () => {
    const key = orderKeys.order(tenantA, orderId);
    expect(decodeCursor(encodeCursor(key), listing(tenantA), ['SK'])).toEqual(key);
  });

  it('round-trip the last evaluated key of a status listing', () => {
    const key = {
      ...orderKeys.order(tenantA, orderId),
      ...orderKeys.statusIndex(tenantA, 'pending', orderId),
    };
    expect(decodeCursor(encodeCursor(key), statusListing(tenantA, 'pending'), ['GSI1SK', 'SK'])).toEqual(key);
  });

  it("rejects a token pointing into another tenant's partition", () => {
    const token = encodeCursor(orderKeys.order(tenantB, orderId));
    expect(() => decodeCursor(token, listing(tenantA), ['SK'])).toThrow(ValidationError);
  });

  it("rejects a status token whose order partition was swapped for another tenant's", () => {
    const forged = {
      ...orderKeys.statusIndex(tenantA, 'pending', orderId),
      ...orderKeys.order(tenantB, orderId),
    };
    expect(() =>
      decodeCursor(encodeCursor(forged), statusListing(tenantA, 'pending'), ['GSI1SK', 'SK']),
    ).toThrow('nextToken is invalid');
  });

  it('rejects a token from another status filter or from the unfiltered listing', () => {
    const shipped = {
      ...orderKeys.order(tenantA, orderId),
      ...orderKeys.statusIndex(tenantA, 'shipped', orderId),
    };
    expect(() =>
      decodeCursor(encodeCursor(shipped), statusListing(tenantA, 'pending'), ['GSI1SK', 'SK']),
    ).toThrow(ValidationError);
    const plain = encodeCursor(orderKeys.order(tenantA, orderId));
    expect(() => decodeCursor(plain, statusListing(tenantA, 'pending'), ['GSI1SK', 'SK'])).toThrow(
      ValidationError,
    );
  });

  it.each([
    'not-base64!',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('{"PK":1}').toString('base64url'),
  ])('rejects garbage token %p', (token) => {
    expect(() => decodeCursor(token, listing(tenantA), ['SK'])).toThrow(ValidationError);
  });
});
