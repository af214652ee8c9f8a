import { onboardTenantSchema, tenantNameSchema } from '../../services/tenants/tenant-schemas';
import { normalizeTenantName, tenantKeys } from '../../shared/keys/tenant-keys';

const valid = { name: 'Acme Corp', tier: 'basic', adminEmail: 'ada@acme.example.com' };

describe('tenantNameSchema', () => {
  it.each([['abc'], ['Acme Corp'], ['acme.io'], ['a_b-c'], ['x'.repeat(64)], ['Acme  Corp']])(
    'accepts %p',
    (name) => {
      expect(tenantNameSchema.safeParse(name).success).toBe(true);
    },
  );

  it.each([
    ['ab'],
    ['x'.repeat(65)],
    [' Acme'],
    ['Acme '],
    ['Acme#Corp'],
    ['Acme/Corp'],
    ['Acme\tCorp'],
    ['Ãcme'],
  ])('rejects %p', (name) => {
    expect(tenantNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('onboardTenantSchema', () => {
  it('accepts a valid request and lower-cases the admin email', () => {
    expect(onboardTenantSchema.parse({ ...valid, adminEmail: 'Ada@ACME.example.com' })).toEqual(valid);
  });

  it.each([
    ['an unknown tier', { ...valid, tier: 'gold' }],
    ['an unknown property', { ...valid, status: 'ACTIVE' }],
    ['an invalid email', { ...valid, adminEmail: 'ada@' }],
    ['a missing name', { tier: 'basic', adminEmail: 'ada@acme.example.com' }],
  ])('rejects %s', (_, body) => {
    expect(onboardTenantSchema.safeParse(body).success).toBe(false);
  });
});

describe('tenant name normalization', () => {
  it('makes names that differ only in case and inner spacing the same key', () => {
    expect(normalizeTenantName('ACME   Corp')).toBe('acme corp');
    expect(tenantKeys.name('Acme Corp')).toEqual(tenantKeys.name('acme  CORP'));
  });

  it('keeps names that differ in characters apart', () => {
    expect(tenantKeys.name('Acme Corp')).not.toEqual(tenantKeys.name('Acme-Corp'));
  });
});
