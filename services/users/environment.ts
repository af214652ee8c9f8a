import * as z from 'zod';
import { csv } from '../../shared/config';

/**
 * The users function's environment contract: every variable it is given, and how each is validated.
 * config.ts reads it at run time; infra/users-api.ts binds exactly these names at synth.
 */
export const usersEnvironment = {
  /** The single table: the tenants' user directories and audit trails. */
  TABLE_NAME: z.string().min(1),
  /** The role the function assumes for one tenant at a time (tenantId session tag): all its tenant data goes through it. */
  TENANT_DATA_ROLE_ARN: z.string().startsWith('arn:'),
  /** The user pool the tenant's users are invited to. */
  USER_POOL_ID: z.string().min(1),
  /** The REST API and stage whose Lambda authorizer cache a disable, delete or role change flushes. */
  REST_API_ID: z.string().min(1),
  STAGE_NAME: z.string().min(1),
  /** Origins whose requests get CORS headers, comma-separated. */
  ALLOWED_ORIGINS: csv,
} satisfies z.ZodRawShape;
