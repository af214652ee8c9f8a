import * as z from 'zod';
import { roleSchema } from '../../shared/role';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 60;

/** Body of `POST /users`: who to invite and as what. */
export const inviteUserSchema = z.strictObject({
  email: z.email().max(254),
  role: roleSchema,
});
export type InviteUserRequest = z.infer<typeof inviteUserSchema>;

/** Body of `PATCH /users/{userId}`: a new role, enabled or disabled, or both. */
export const updateUserSchema = z
  .strictObject({
    role: roleSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => body.role !== undefined || body.enabled !== undefined, {
    message: 'at least one of role or enabled is required',
  });
export type UpdateUserRequest = z.infer<typeof updateUserSchema>;

/** A positive integer written in decimal, as query strings carry it. */
const decimalInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Query string of `GET /users`. */
export const listUsersQuerySchema = z.strictObject({
  limit: decimalInt(1, MAX_PAGE_SIZE).optional(),
  nextToken: z.string().min(1).max(2048).optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;

/** Cognito `sub`s are UUIDs; anything else cannot name a user (a 404, not a lookup). */
export const USER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
