import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The partner-clients function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/partner-clients-api.ts binds exactly these names at synth.
 */
export const partnerClientsEnvironment = {
  /** The single table: the clients' bindings to their tenant. */
  TABLE_NAME: z.string().min(1),
  /** The role the function assumes for one tenant at a time (tenantId session tag): the tenant's list goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
  /** The user pool the machine clients are created in (the one whose tokens the authorizer verifies). */
  USER_POOL_ID: z.string().min(1),
  /** The Cognito domain's token endpoint, returned with a new client so the partner knows where to sign in. */
  TOKEN_URL: z.url(),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
} satisfies z.ZodRawShape;
