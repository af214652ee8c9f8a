import * as z from 'zod';
import { TENANT_ID_PATTERN } from '../keys/tenant-prefix';
import { tenantSlugKeys } from '../keys/tenant-slug-keys';
import { tenantSlugSchema } from '../tenant-slug';
import { decodeItem, encodeAttributes } from './stored-item';

/** The slug registry entry: written by onboarding, read by the public catalog to find the tenant. */
export const tenantSlugRecordSchema = z.object({
  slug: tenantSlugSchema,
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  createdAt: z.iso.datetime(),
});
export type TenantSlugRecord = Readonly<z.infer<typeof tenantSlugRecordSchema>>;

/** Tenant slug record ⇄ table item. */
export const tenantSlugRecordCodec = {
  toItem(record: TenantSlugRecord): Record<string, unknown> {
    return {
      ...tenantSlugKeys.slug(record.slug),
      ...encodeAttributes('tenant slug record', tenantSlugRecordSchema, record),
    };
  },
  /** @throws CorruptItemError naming the item's key when the stored record does not decode. */
  fromItem(item: Record<string, unknown>): TenantSlugRecord {
    return decodeItem('tenant slug record', tenantSlugRecordSchema, item);
  },
};
