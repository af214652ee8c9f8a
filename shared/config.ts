import * as z from 'zod';

/**
 * Reads a service's configuration from the environment once, at cold start, and fails fast with
 * every missing or malformed variable named. This is the only module that touches `process.env`.
 */
export function readConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** A comma-separated list variable, e.g. ALLOWED_ORIGINS. */
export const csv = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()))
  .pipe(z.array(z.string().min(1)));
