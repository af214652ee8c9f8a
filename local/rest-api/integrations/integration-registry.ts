import { lambdaProxyIntegration } from './lambda-proxy-integration';
import { mockIntegration } from './mock-integration';
import type { RestIntegration } from './rest-integration';

/**
 * The integration types the REST API emulator runs, by `Integration.Type`. Any other type (AWS, HTTP,
 * HTTP_PROXY for now) answers API_CONFIGURATION_ERROR and is logged as not emulated.
 */
export const INTEGRATIONS: Readonly<Record<string, RestIntegration>> = {
  AWS_PROXY: lambdaProxyIntegration,
  MOCK: mockIntegration,
};
