import type * as z from 'zod';
import { ValidationError } from './errors';

/** The most of any client-supplied value an error message quotes, so a huge bad input is not echoed back. */
export const MAX_QUOTED_LENGTH = 64;

/** `text` cut to {@link MAX_QUOTED_LENGTH} characters, with `…` and the full length when it was longer. */
export function clipped(text: string): string {
  return text.length > MAX_QUOTED_LENGTH
    ? `${text.slice(0, MAX_QUOTED_LENGTH)}… (${text.length} characters)`
    : text;
}

/** Formats zod issues as one client-facing sentence: `items.0.quantity: Too small: expected number to be >=1`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      // Paths and messages can carry client input (an unknown key's name, a value): quote only a prefix.
      const path = issue.path.map((segment) => clipped(String(segment))).join('.');
      const message = clipped(issue.message);
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Parses `value` with `schema`, or throws a ValidationError naming what was wrong with `what`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`invalid ${what}: ${describeIssues(result.error.issues)}`);
  return result.data;
}
