/**
 * Keys of the tenant slug registry: one global item per slug, pointing at its tenant. Slugs are claimed once and
 * never deleted, so a slug can never be handed to another tenant later.
 */
export const tenantSlugKeys = {
  slug: (slug: string) => ({ PK: `TENANTSLUG#${slug}`, SK: 'TENANTSLUG' }),
  /** The partition every slug item lives under, for IAM's `dynamodb:LeadingKeys`. */
  leadingKeyPattern: 'TENANTSLUG#*',
};
