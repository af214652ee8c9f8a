import * as z from 'zod';

/**
 * A tenant's public slug (`/public/{tenantSlug}/catalog`): 1-64 lowercase letters, digits and single dashes, not
 * starting or ending with a dash, so it is URL-safe as it stands and carries no `#` into a key.
 */
export const TENANT_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}$/;

export const tenantSlugSchema = z.string().max(64).regex(TENANT_SLUG_PATTERN);

/** How much of the name a slug keeps, leaving room for a disambiguating suffix within 64 characters. */
const BASE_LENGTH = 40;
/** Suffixes tried before falling back to the tenant id, which no other tenant has. */
const NUMBERED_ATTEMPTS = 9;

/** The slug a name suggests: `Acme Corp.` → `acme-corp`; a name with no letter or digit → `tenant`. */
export function baseSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, BASE_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'tenant' : slug;
}

/**
 * The slugs a tenant may get, in the order onboarding tries them: the base, `base-2` … `base-9`, then the base
 * with the tenant id (unique by construction, so the list always ends in one nobody else can hold). The order
 * is fixed, so a retried onboarding finds the slug its first attempt claimed.
 */
export function slugCandidates(name: string, tenantId: string): string[] {
  const base = baseSlug(name);
  const numbered = Array.from({ length: NUMBERED_ATTEMPTS - 1 }, (_, i) => `${base}-${i + 2}`);
  return [base, ...numbered, `${base}-${tenantId}`];
}
