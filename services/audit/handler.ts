import * as z from 'zod';
import { listAudit } from '../../shared/audit';
import { ForbiddenError } from '../../shared/errors';
import { httpRouter, type ProxyHandler, parseQuery } from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { principalFromLambdaAuthorizer } from '../../shared/tenant-context';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { type AuditConfig, readAuditConfig } from './config';

/** The most entries one `GET /audit` page holds. */
export const MAX_AUDIT_PAGE_SIZE = 100;

/** Query string of `GET /audit`. */
export const listAuditQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_AUDIT_PAGE_SIZE))
    .optional(),
  nextToken: z.string().min(1).max(2048).optional(),
});

/**
 * `GET /audit` behind the REST API's Lambda authorizer: the caller's own tenant's audit trail, newest first, a
 * page at a time, for its admins only (members get 403: the authorizer's grant is cached per token for every
 * route, so the role is checked here). The trail is read with a session of the caller's tenant, which IAM confines
 * to that tenant's partitions.
 */
export function createAuditHandler(
  config: AuditConfig,
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
): ProxyHandler {
  const { forTenant } = tenantData.tableClients();
  return httpRouter(
    {
      'GET /audit': async (event) => {
        const principal = principalFromLambdaAuthorizer(event);
        if (principal.role !== 'admin')
          throw new ForbiddenError("only a tenant's admin reads its audit trail");
        const query = parseQuery(event, listAuditQuerySchema);
        return {
          statusCode: 200,
          body: await listAudit(config.TABLE_NAME, principal.tenantId, {
            limit: query.limit ?? 25,
            client: forTenant(principal.tenantId),
            ...(query.nextToken ? { nextToken: query.nextToken } : {}),
          }),
        };
      },
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createAuditHandler(readAuditConfig())));
