import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The catalog function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/catalog-api.ts binds exactly these names at synth.
 */
export const catalogEnvironment = {
  /** The single table holding each tenant's catalog. */
  TABLE_NAME: z.string().min(1),
  /** The role the function assumes for one tenant at a time (tenantId session tag): all its tenant data goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
  /** The REST API and stage serving the catalog, whose stage cache an edit flushes. */
  REST_API_ID: z.string().min(1),
  STAGE_NAME: z.string().min(1),
  /** `on` when the stage has a cache cluster (catalog GETs cached): an admin's edit then flushes it. */
  STAGE_CACHE: z.enum(['on', 'off']),
} satisfies z.ZodRawShape;
