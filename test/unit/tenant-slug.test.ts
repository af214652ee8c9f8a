import { baseSlug, slugCandidates, TENANT_SLUG_PATTERN } from '../../shared/tenant-slug';

describe('tenant slugs', () => {
  it.each([
    ['Acme Corp', 'acme-corp'],
    ['  Globex  ', 'globex'],
    ['Acme.Corp_Ltd', 'acme-corp-ltd'],
    ['Crème Brûlée', 'creme-brulee'],
    ['...', 'tenant'],
    ['A--B', 'a-b'],
  ])('derives %j → %j', (name, slug) => {
    expect(baseSlug(name)).toBe(slug);
    expect(slug).toMatch(TENANT_SLUG_PATTERN);
  });

  it('keeps at most 40 characters of the name and never ends on a dash', () => {
    const slug = baseSlug(`${'a'.repeat(39)} tail`);
    expect(slug).toBe('a'.repeat(39));
    expect(baseSlug('b'.repeat(64))).toHaveLength(40);
  });

  it('tries the base, then numbered slugs, then one with the tenant id, all valid and distinct', () => {
    const candidates = slugCandidates('Acme Corp', 'tabcdefghjkmnpqrs');
    expect(candidates.slice(0, 3)).toEqual(['acme-corp', 'acme-corp-2', 'acme-corp-3']);
    expect(candidates.at(-1)).toBe('acme-corp-tabcdefghjkmnpqrs');
    expect(new Set(candidates).size).toBe(candidates.length);
    for (const slug of slugCandidates('x'.repeat(64), 'tabcdefghjkmnpqrs')) {
      expect(slug).toMatch(TENANT_SLUG_PATTERN);
      expect(slug.length).toBeLessThanOrEqual(64);
    }
  });

  it.each(['', '-a', 'a-', 'a--b', 'A', 'a_b', '../x', 'a'.repeat(65)])('refuses %j as a slug', (slug) => {
    expect(TENANT_SLUG_PATTERN.test(slug)).toBe(false);
  });
});
