import type * as z from 'zod';
import { readConfig } from '../../shared/config';
import { auditEnvironment } from './environment';

export type AuditConfig = z.infer<z.ZodObject<typeof auditEnvironment>>;

/** Reads and validates the audit function's environment; throws naming every bad variable. */
export function readAuditConfig(env?: NodeJS.ProcessEnv): AuditConfig {
  return readConfig(auditEnvironment, env);
}
