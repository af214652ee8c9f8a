import * as z from 'zod';
import { type TenantStatus, tenantStatusSchema } from '../../shared/codecs/tenant-profile-codec';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';
import type { TenantUsage } from '../../shared/tenant-usage';
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

/** The most tenants one `GET /tenants` page holds. */
export const MAX_TENANT_PAGE_SIZE = 100;

/** A page size written in decimal, as query strings carry it. */
const pageSize = z
  .string()
  .regex(/^[0-9]{1,3}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_TENANT_PAGE_SIZE));

/** Query string of `GET /tenants`: optional filters by status and tier, and paging. */
export const listTenantsQuerySchema = z.strictObject({
  status: tenantStatusSchema.or(z.literal('OFFBOARDED')).optional(),
  tier: tierSchema.optional(),
  limit: pageSize.optional(),
  nextToken: z.string().min(1).max(2048).optional(),
});
export type ListTenantsQuery = z.infer<typeof listTenantsQuerySchema>;

/** The body of `PATCH /tenants/{tenantId}`: the tier is all an operator changes (an unknown tier is a 400). */
export const patchTenantSchema = z.strictObject({ tier: tierSchema });
export type PatchTenantRequest = z.infer<typeof patchTenantSchema>;

/** The `{tenantId}` path parameter: a tenant id's shape, so a malformed id is a 400 before any read. */
export const tenantIdParameterSchema = z
  .string()
  .regex(TENANT_ID_PATTERN, 'must be a tenant id (t + 16 characters)');

/** What the operator API shows of a tenant (never its API key value). */
export interface TenantView {
  readonly tenantId: string;
  readonly name: string;
  readonly tier: Tier;
  readonly status: TenantStatus | 'OFFBOARDED';
  readonly adminEmail?: string;
  readonly apiKeyId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Present while or after the tenant is offboarded: the job and, once done, the tombstone. */
  readonly offboarding?: Record<string, unknown>;
  /** `GET /tenants/{id}` of an active or suspended tenant: its plan limits and quota use this period. */
  readonly usage?: TenantUsage;
}
