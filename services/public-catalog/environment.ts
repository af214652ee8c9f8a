import * as z from 'zod';

/**
 * The public catalog function's environment contract. config.ts reads it at run time; infra/public-api.ts binds
 * exactly these names at synth. No ALLOWED_ORIGINS: the HTTP API answers CORS at the gateway.
 */
export const publicCatalogEnvironment = {
  /** The single table: slug records and each tenant's catalog (read-only, public attributes only). */
  TABLE_NAME: z.string().min(1),
} satisfies z.ZodRawShape;
