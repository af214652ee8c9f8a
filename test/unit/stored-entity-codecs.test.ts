import { type CatalogItem, catalogItemCodec } from '../../shared/codecs/catalog-item-codec';
import { CorruptItemError } from '../../shared/codecs/stored-item';
import {
  type TenantNameRecord,
  type TenantProfile,
  tenantNameRecordCodec,
  tenantProfileCodec,
} from '../../shared/codecs/tenant-profile-codec';
import { catalogKeys } from '../../shared/keys/catalog-keys';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { roleSchema } from '../../shared/role';
import { tierSchema } from '../../shared/tier';

const TENANT = 't0123456789abcdef';

const profile: TenantProfile = {
  tenantId: TENANT,
  name: 'Acme Corp',
  tier: 'premium',
  status: 'ACTIVE',
  apiKeyValue: 'a'.repeat(48),
  apiKeyId: 'key0000001',
  adminEmail: 'admin@acme.example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

const nameRecord: TenantNameRecord = {
  tenantId: TENANT,
  name: 'Acme Corp',
  tier: 'basic',
  status: 'ONBOARDING',
  apiKeyValue: 'b'.repeat(48),
  adminEmail: 'admin@acme.example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
};

const catalogItem: CatalogItem = {
  sku: 'MUG-1',
  name: 'Mug',
  price: 1299,
  currency: 'EUR',
  public: true,
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'user-1',
};

/** Runs `decode` and returns what it threw, failing the test if it did not throw a CorruptItemError. */
function corruption(decode: () => unknown): CorruptItemError {
  try {
    decode();
  } catch (error) {
    if (error instanceof CorruptItemError) return error;
    throw error;
  }
  throw new Error('expected the item to be refused as corrupt, but it decoded');
}

describe('the tenant profile codec', () => {
  it('stores the profile under its key and reads back exactly what was stored', () => {
    const item = tenantProfileCodec.toItem(profile);
    expect(item).toEqual({ ...tenantKeys.profile(TENANT), ...tenantKeys.directoryIndex(TENANT), ...profile });
    expect(tenantProfileCodec.fromItem(item)).toEqual(profile);
  });

  it('reads a profile without key attributes or attributes it does not know', () => {
    const decoded = tenantProfileCodec.fromItem({ ...tenantProfileCodec.toItem(profile), legacy: 'x' });
    expect(decoded).not.toHaveProperty('PK');
    expect(decoded).not.toHaveProperty('legacy');
  });

  it.each([
    ['an unknown tier', { tier: 'gold' }, 'tier'],
    ['an unknown status', { status: 'active' }, 'status'],
    ['a missing API key value', { apiKeyValue: undefined }, 'apiKeyValue'],
    ['a tenant id that is not generated', { tenantId: 'acme#corp' }, 'tenantId'],
  ])('refuses a stored profile with %s, naming its key, instead of defaulting it', (_, change, field) => {
    const item = { ...tenantProfileCodec.toItem(profile), ...change };
    const error = corruption(() => tenantProfileCodec.fromItem(item));
    expect(error.entity).toBe('tenant profile');
    expect(error.key).toEqual(tenantKeys.profile(TENANT));
    expect(error.message).toContain(tenantKeys.profile(TENANT).PK);
    expect(error.issues).toContain(field);
  });

  it('keeps the zod error as the cause, for the logs', () => {
    const error = corruption(() => tenantProfileCodec.fromItem({ ...profile, tier: 'gold' }));
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses to write a profile its readers would refuse', () => {
    expect(() => tenantProfileCodec.toItem({ ...profile, tier: 'gold' } as unknown as TenantProfile)).toThrow(
      /refusing to store an invalid tenant profile: tier/,
    );
  });
});

describe('the tenant name record codec', () => {
  it('stores the record under the normalized name and reads it back', () => {
    const item = tenantNameRecordCodec.toItem(nameRecord);
    expect(item).toEqual({ ...tenantKeys.name('acme corp'), ...nameRecord });
    expect(tenantNameRecordCodec.fromItem(item)).toEqual(nameRecord);
  });

  it.each([
    ['an unknown tier (never read as basic)', { tier: 'enterprise' }, 'tier'],
    ['an unknown status (never read as ONBOARDING)', { status: 'DONE' }, 'status'],
  ])('refuses a stored record with %s, naming its key', (_, change, field) => {
    const item = { ...tenantNameRecordCodec.toItem(nameRecord), ...change };
    const error = corruption(() => tenantNameRecordCodec.fromItem(item));
    expect(error.key).toEqual(tenantKeys.name(nameRecord.name));
    expect(error.issues).toContain(field);
  });
});

describe('the catalog item codec', () => {
  it('stores the item under the tenant’s catalog partition and reads back exactly what was stored', () => {
    const item = catalogItemCodec.toItem(TENANT, catalogItem);
    expect(item).toEqual({ ...catalogKeys.item(TENANT, 'MUG-1'), ...catalogItem });
    expect(catalogItemCodec.fromItem(item)).toEqual(catalogItem);
  });

  it.each([
    ['a price stored as a string', { price: '1299' }, 'price'],
    ['a fractional price', { price: 12.5 }, 'price'],
    ['a negative price', { price: -1 }, 'price'],
    ['a missing currency', { currency: undefined }, 'currency'],
    ['a public flag stored as a string (never read as false)', { public: 'yes' }, 'public'],
    ['a SKU with a key separator', { sku: 'MUG#1' }, 'sku'],
  ])('refuses a stored item with %s, naming its key', (_, change, field) => {
    const item = { ...catalogItemCodec.toItem(TENANT, catalogItem), ...change };
    const error = corruption(() => catalogItemCodec.fromItem(item));
    expect(error.entity).toBe('catalog item');
    expect(error.key).toEqual(catalogKeys.item(TENANT, 'MUG-1'));
    expect(error.issues).toContain(field);
  });
});

describe('the shared definitions', () => {
  it('knows exactly the tiers basic and premium', () => {
    expect(tierSchema.options).toEqual(['basic', 'premium']);
    expect(tierSchema.safeParse('gold').success).toBe(false);
  });

  it('knows exactly the roles admin and member', () => {
    expect(roleSchema.options).toEqual(['admin', 'member']);
    expect(roleSchema.safeParse('owner').success).toBe(false);
  });
});
