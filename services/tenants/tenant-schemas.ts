import * as z from 'zod';
import type { TenantStatus } from '../../shared/codecs/tenant-profile-codec';
import { type Tier, tierSchema } from '../../shared/tier';

/**
 * A tenant's display name: 3-64 ASCII letters, digits, spaces, dots, underscores or dashes, not starting or
 * ending with a space (those would make two visually identical names). Uniqueness is decided on the
 * normalized form (shared/keys/tenant-keys.ts), so "Acme  Corp" and "acme corp" are the same tenant.
 */
export const tenantNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9._-](?:[A-Za-z0-9 ._-]{1,62})[A-Za-z0-9._-]$/,
    'name must be 3-64 letters, digits, spaces, dots, underscores or dashes, not starting or ending with a space',
  );

/** The body of `POST /tenants`. The admin email is lower-cased so a retry in other casing is the same request. */
export const onboardTenantSchema = z.strictObject({
  name: tenantNameSchema,
  tier: tierSchema,
  adminEmail: z.email().max(254).toLowerCase(),
});

export type OnboardTenantRequest = z.infer<typeof onboardTenantSchema>;

/** What `POST /tenants` answers; never the API key value. */
export interface OnboardingResult {
  readonly tenantId: string;
  readonly name: string;
  /** The tenant's public slug (`/public/{slug}/catalog`), derived from the name and never reused. */
  readonly slug: string;
  readonly tier: Tier;
  readonly status: TenantStatus;
  readonly adminUsername: string;
  readonly apiKeyId: string;
}
