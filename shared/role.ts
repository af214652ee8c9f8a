import * as z from 'zod';

/**
 * The roles of a tenant user, carried by the immutable `custom:role` attribute and mirrored by the user
 * pool's groups of the same names.
 */
export const ROLES = ['admin', 'member'] as const;

/** A role, wherever one is read: ID-token claims, the authorizer's context, Cognito claims. */
export const roleSchema = z.enum(ROLES);

export type Role = z.infer<typeof roleSchema>;
