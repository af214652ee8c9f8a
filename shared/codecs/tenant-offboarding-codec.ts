import * as z from 'zod';
import { tenantKeys } from '../keys/tenant-keys';
import { TENANT_ID_PATTERN } from '../keys/tenant-prefix';
import { tierSchema } from '../tier';
import { decodeItem, encodeAttributes } from './stored-item';

/** The steps of an offboarding, in order; each is recorded once done, so a re-run resumes after the last. */
export const OFFBOARDING_STEPS = ['exported', 'erased'] as const;

/**
 * A tenant's offboarding: the job while it runs, the tombstone once the tenant is erased. Kept outside the
 * tenant's keys (shared/keys/tenant-keys.ts `offboarding`), so erasure leaves it: who offboarded the tenant, when,
 * and where its export is until the bucket's lifecycle expires it. No personal data (no e-mail, no key value).
 */
export const tenantOffboardingSchema = z.object({
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  name: z.string().min(1),
  tier: tierSchema,
  /** OFFBOARDING while the job runs, OFFBOARDED once everything of the tenant is erased. */
  status: z.enum(['OFFBOARDING', 'OFFBOARDED']),
  requestedBy: z.string().min(1),
  requestId: z.string().min(1),
  requestedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().optional(),
  /** The API key to delete (kept here because the profile holding it is erased first of the tenant's items). */
  apiKeyId: z.string().min(1).optional(),
  /** Steps done, in order. */
  steps: z.array(z.enum(OFFBOARDING_STEPS)),
  /** Where the export is: the bucket key of the NDJSON file, how many items it holds, until when it is kept. */
  export: z
    .object({
      bucket: z.string().min(1),
      key: z.string().min(1),
      itemCount: z.int().min(0),
      expiresAt: z.iso.datetime(),
    })
    .optional(),
  /** What was erased besides the table's items. */
  erased: z
    .object({
      items: z.int().min(0),
      users: z.int().min(0),
      partnerClients: z.int().min(0),
      /** Files of the tenant in the bucket (uploads, reports), the export excepted. */
      files: z.int().min(0),
      apiKey: z.boolean(),
    })
    .optional(),
});
export type TenantOffboarding = Readonly<z.infer<typeof tenantOffboardingSchema>>;

/** Offboarding record ⇄ table item; a tombstone joins the operators' directory (GSI1) with status OFFBOARDED. */
export const tenantOffboardingCodec = {
  toItem(record: TenantOffboarding): Record<string, unknown> {
    return {
      ...tenantKeys.offboarding(record.tenantId),
      // Only the tombstone is listed: while the job runs, the profile (status OFFBOARDING) is.
      ...(record.status === 'OFFBOARDED' ? tenantKeys.directoryIndex(record.tenantId) : {}),
      ...encodeAttributes('tenant offboarding', tenantOffboardingSchema, record),
    };
  },
  /** @throws CorruptItemError naming the item's key when the stored record does not decode. */
  fromItem(item: Record<string, unknown>): TenantOffboarding {
    return decodeItem('tenant offboarding', tenantOffboardingSchema, item);
  },
};
