import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tenantProfileCodec } from '../../shared/codecs/tenant-profile-codec';
import { httpRouter, type ProxyHandler } from '../../shared/http';
import { instrumented } from '../../shared/instrumented-handler';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { principalFromLambdaAuthorizer } from '../../shared/tenant-context';
import { TenantCredentials, type TenantData } from '../../shared/tenant-credentials';
import { readTenantUsage } from '../../shared/tenant-usage';
import { tracer } from '../../shared/tracer';
import { readUsageConfig, type UsageConfig } from './config';

/**
 * `GET /usage` behind the REST API's Lambda authorizer: the caller's tenant's tier, plan limits and quota use this
 * period, from API Gateway's own usage records for the tenant's key (shared/tenant-usage.ts, which the operator's
 * per-tenant view uses too). Any user of the tenant may read it. The tenant's profile is read with a session of
 * the caller's tenant; API Gateway's records with the function's own role. The API Gateway client's endpoint comes
 * from the SDK's own resolution, so there is no local-mode branch.
 */
export function createUsageHandler(
  config: UsageConfig,
  apiGateway: APIGatewayClient = tracer.captureAWSv3Client(new APIGatewayClient({})),
  tenantData: TenantData = new TenantCredentials({ roleArn: config.TENANT_DATA_ROLE_ARN }),
): ProxyHandler {
  const { forTenant } = tenantData.tableClients();
  return httpRouter(
    {
      'GET /usage': async (event) => {
        const { tenantId } = principalFromLambdaAuthorizer(event);
        const { Item } = await forTenant(tenantId).send(
          new GetCommand({ TableName: config.TABLE_NAME, Key: tenantKeys.profile(tenantId) }),
        );
        // The authorizer admitted the caller on this profile, so it exists and has its key.
        const profile = Item ? tenantProfileCodec.fromItem(Item) : undefined;
        if (profile?.apiKeyId === undefined) throw new Error(`tenant ${tenantId} has no API key id`);
        const usage = await readTenantUsage(apiGateway, profile.apiKeyId);
        return { statusCode: 200, body: { tenantId, tier: profile.tier, ...usage } };
      },
    },
    { allowedOrigins: config.ALLOWED_ORIGINS },
  );
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createUsageHandler(readUsageConfig())));
