import { tenantPrefix } from './keys/tenant-prefix';

/** The formats an upload may be in, and the extension and content type each is stored with. */
export const UPLOAD_FORMATS = {
  ndjson: { extension: 'ndjson', contentType: 'application/x-ndjson' },
  csv: { extension: 'csv', contentType: 'text/csv' },
} as const;
export type UploadFormat = keyof typeof UPLOAD_FORMATS;

const JOB_ID = '[0-9A-HJKMNP-TV-Z]{26}';
const UPLOAD_KEY = new RegExp(`^tenants/(t[0-9a-z]{16})/uploads/(${JOB_ID})\\.(ndjson|csv)$`);

/**
 * Object keys of the files bucket. Every key is `tenants/<tenantId>/<kind>/<jobId>.<ext>`, built here from a
 * tenant id checked by `tenantPrefix` and a job id the service generated: no key is ever taken from a client.
 * The IAM grants use the same layout (`tenants/*\/uploads/*`), so a function can only reach the kinds it needs.
 */
export const TENANT_FILES = {
  /** Every tenant file is under this prefix (the lifecycle rule and the notification filter use it). */
  root: 'tenants/',
  /** The IAM resource pattern of one kind of file, for every tenant (`tenants/*\/uploads/*`). */
  pattern: (kind: 'uploads' | 'reports' | 'exports') => `tenants/*/${kind}/*`,
  upload(tenantId: string, jobId: string, format: UploadFormat): string {
    tenantPrefix(tenantId);
    return `tenants/${tenantId}/uploads/${jobId}.${UPLOAD_FORMATS[format].extension}`;
  },
  report(tenantId: string, jobId: string): string {
    tenantPrefix(tenantId);
    return `tenants/${tenantId}/reports/${jobId}.csv`;
  },
  /** The NDJSON export of every item of a tenant, written when it is offboarded (one per tenant: a re-run overwrites). */
  offboardingExport(tenantId: string): string {
    tenantPrefix(tenantId);
    return `tenants/${tenantId}/exports/offboarding.ndjson`;
  },
  /** The tenant, job and format an upload key names, or undefined for any other key (a report, a stray object). */
  parseUpload(key: string): { tenantId: string; jobId: string; format: UploadFormat } | undefined {
    const match = UPLOAD_KEY.exec(key);
    if (!match) return undefined;
    const [, tenantId, jobId, format] = match as unknown as [string, string, string, UploadFormat];
    return { tenantId, jobId, format };
  },
};
