import * as z from 'zod';
import { tenantKeys } from '../keys/tenant-keys';
import { TENANT_ID_PATTERN } from '../keys/tenant-prefix';
import { tierSchema } from '../tier';
import { decodeItem, encodeAttributes } from './stored-item';

/**
 * A tenant's lifecycle. Onboarding writes ONBOARDING and then ACTIVE; operators move it between ACTIVE and
 * SUSPENDED, and to OFFBOARDING when they offboard it (its data is exported, then erased; the offboarding record
 * says OFFBOARDED once it is gone). Only ACTIVE tenants are admitted anywhere; any value outside this list is
 * corrupt data.
 */
export const TENANT_STATUSES = ['ONBOARDING', 'ACTIVE', 'SUSPENDED', 'OFFBOARDING'] as const;
export const tenantStatusSchema = z.enum(TENANT_STATUSES);
export type TenantStatus = z.infer<typeof tenantStatusSchema>;

/** The stored tenant profile, written by onboarding and read by the Lambda authorizer on every request. */
export const tenantProfileSchema = z.object({
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  name: z.string().min(1),
  tier: tierSchema,
  status: tenantStatusSchema,
  /** The tenant's own API key value (written at the name claim, before the key exists in API Gateway). */
  apiKeyValue: z.string().min(20),
  /** Present once the key exists in API Gateway. */
  apiKeyId: z.string().min(1).optional(),
  adminEmail: z.email(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TenantProfile = Readonly<z.infer<typeof tenantProfileSchema>>;

/**
 * The global name registry entry, written first by onboarding. It carries everything a retry needs (the tenant
 * id and the API key value), so a half-finished onboarding resumes with the same identity.
 */
export const tenantNameRecordSchema = tenantProfileSchema.pick({
  tenantId: true,
  name: true,
  tier: true,
  adminEmail: true,
  apiKeyValue: true,
  status: true,
  createdAt: true,
  apiKeyId: true,
});
export type TenantNameRecord = Readonly<z.infer<typeof tenantNameRecordSchema>>;

/** Tenant profile ⇄ table item, for its writer (services/tenants) and its readers (services/authorizer). */
export const tenantProfileCodec = {
  toItem(profile: TenantProfile): Record<string, unknown> {
    return {
      ...tenantKeys.profile(profile.tenantId),
      ...tenantKeys.directoryIndex(profile.tenantId),
      ...encodeAttributes('tenant profile', tenantProfileSchema, profile),
    };
  },
  /** @throws CorruptItemError naming the item's key when the stored profile does not decode. */
  fromItem(item: Record<string, unknown>): TenantProfile {
    return decodeItem('tenant profile', tenantProfileSchema, item);
  },
};

/** Tenant name record ⇄ table item (the record is keyed by the normalized name). */
export const tenantNameRecordCodec = {
  toItem(record: TenantNameRecord): Record<string, unknown> {
    return {
      ...tenantKeys.name(record.name),
      ...encodeAttributes('tenant name record', tenantNameRecordSchema, record),
    };
  },
  /** @throws CorruptItemError naming the item's key when the stored record does not decode. */
  fromItem(item: Record<string, unknown>): TenantNameRecord {
    return decodeItem('tenant name record', tenantNameRecordSchema, item);
  },
};
