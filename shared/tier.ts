import * as z from 'zod';

/** The tiers a tenant can be on; each has its own usage plan (infra/usage-plans.ts) and so its own limits. */
export const TIERS = ['basic', 'premium'] as const;

/** A tier, wherever one is read: request bodies, stored tenant records, the authorizer's context. */
export const tierSchema = z.enum(TIERS);

export type Tier = z.infer<typeof tierSchema>;
