/**
 * The session tag that carries the tenant of a tenant data session: set by shared/tenant-credentials.ts on
 * AssumeRole, read by the tenant data role's policy (infra/tenant-data-role.ts) as `${aws:PrincipalTag/tenantId}`.
 */
export const TENANT_SESSION_TAG = 'tenantId';
