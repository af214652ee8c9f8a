import * as z from 'zod';

export const DEFAULT_PUBLIC_PAGE_SIZE = 24;
export const MAX_PUBLIC_PAGE_SIZE = 100;

/** The query string of `GET /public/{tenantSlug}/catalog`; a strict digit pattern, as for `GET /catalog`. */
export const publicCatalogQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `limit must be an integer from 1 to ${MAX_PUBLIC_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PUBLIC_PAGE_SIZE))
    .optional()
    .transform((limit) => limit ?? DEFAULT_PUBLIC_PAGE_SIZE),
  nextToken: z.string().min(1).max(2048).optional(),
});

export type PublicCatalogQuery = z.infer<typeof publicCatalogQuerySchema>;
