import type * as z from 'zod';
import { ValidationError } from './errors';

/** Formats zod issues as one client-facing sentence: `items.0.quantity: Too small: expected number to be >=1`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Parses `value` with `schema`, or throws a ValidationError naming what was wrong with `what`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`invalid ${what}: ${describeIssues(result.error.issues)}`);
  return result.data;
}
