import * as z from 'zod';

/**
 * The body of `POST /partner-clients`: a label for the partner (it becomes part of the Cognito client name,
 * `partner-<tenantId>-<name>`, so it is kept to characters Cognito accepts in a client name).
 */
export const createPartnerClientSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'name must be 1-64 letters, digits, dots, underscores or dashes'),
});

export type CreatePartnerClientRequest = z.infer<typeof createPartnerClientSchema>;
