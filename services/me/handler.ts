import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type HttpApiHandler, httpApiRouter } from '../../shared/http-api';
import { instrumented } from '../../shared/instrumented-handler';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { principalFromJwtClaims } from '../../shared/tenant-context';
import { type MeConfig, readMeConfig } from './config';
import { createMeService } from './me-service';
import { createTenantSummaryRepository } from './tenant-summary-repository';

/** The `/me` Lambda behind the HTTP API's native JWT authorizer, wired to `config`. */
export function createMeHandler(config: MeConfig): HttpApiHandler<APIGatewayProxyEventV2WithJWTAuthorizer> {
  const service = createMeService(createTenantSummaryRepository(config.TABLE_NAME));
  return httpApiRouter<APIGatewayProxyEventV2WithJWTAuthorizer>({
    'GET /me': async (event) => ({
      statusCode: 200,
      headers: { 'Cache-Control': 'private, no-store' },
      body: await service.me(principalFromJwtClaims(event)),
    }),
  });
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => instrumented(createMeHandler(readMeConfig())));
