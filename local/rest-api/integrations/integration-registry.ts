import { awsServiceIntegration } from './aws-service-integration';
import { lambdaProxyIntegration } from './lambda-proxy-integration';
import { mockIntegration } from './mock-integration';
import type { RestIntegration } from './rest-integration';

/**
 * The integration types the REST API emulator runs, by `Integration.Type`. Any other type (HTTP, HTTP_PROXY
 * for now) answers API_CONFIGURATION_ERROR and is named at start as not emulated.
 */
export const INTEGRATIONS: Readonly<Record<string, RestIntegration>> = {
  AWS: awsServiceIntegration,
  AWS_PROXY: lambdaProxyIntegration,
  MOCK: mockIntegration,
};
