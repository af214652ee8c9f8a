import { randomInt } from 'node:crypto';
import * as z from 'zod';

const booleanLike = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** `GenerateSecretString` of AWS::SecretsManager::Secret (the same options as GetRandomPassword). */
export const generateSecretStringSchema = z.object({
  SecretStringTemplate: z.string().optional(),
  GenerateStringKey: z.string().optional(),
  PasswordLength: z.coerce.number().int().min(1).max(4096).optional(),
  ExcludeCharacters: z.string().optional(),
  ExcludeLowercase: booleanLike.optional(),
  ExcludeUppercase: booleanLike.optional(),
  ExcludeNumbers: booleanLike.optional(),
  ExcludePunctuation: booleanLike.optional(),
  IncludeSpace: booleanLike.optional(),
  RequireEachIncludedType: booleanLike.optional(),
});
export type GenerateSecretString = z.infer<typeof generateSecretStringSchema>;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
// The punctuation Secrets Manager draws from (GetRandomPassword: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * A random password as Secrets Manager generates one: 32 characters by default from letters, digits and
 * punctuation, less the excluded ones, with at least one of each included type unless told otherwise
 * (`RequireEachIncludedType` defaults to true); with `SecretStringTemplate` and `GenerateStringKey`, the
 * password is put under that key of the template's JSON object.
 */
export function generateSecretString(options: GenerateSecretString): string {
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const classes = [
    options.ExcludeLowercase ? '' : keep(LOWER),
    options.ExcludeUppercase ? '' : keep(UPPER),
    options.ExcludeNumbers ? '' : keep(DIGITS),
    options.ExcludePunctuation ? '' : keep(PUNCTUATION),
    options.IncludeSpace ? ' ' : '',
  ].filter((chars) => chars.length > 0);
  if (classes.length === 0) throw new Error('GenerateSecretString excludes every character');
  const all = classes.join('');
  const length = options.PasswordLength ?? 32;
  const chars: string[] = [];
  if (options.RequireEachIncludedType !== false && length >= classes.length) {
    for (const chars_ of classes) chars.push(chars_[randomInt(chars_.length)] ?? '');
  }
  while (chars.length < length) chars.push(all[randomInt(all.length)] ?? '');
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  const password = chars.join('');
  if (options.SecretStringTemplate === undefined || options.GenerateStringKey === undefined) return password;
  const template = JSON.parse(options.SecretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, [options.GenerateStringKey]: password });
}
