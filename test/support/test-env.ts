/**
 * The environment the handlers under test see, as the stateless stack would set it. Applied by
 * test/support/set-test-env.ts before any test module loads (handlers read config at import time).
 */
export const TEST_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_EC2_METADATA_DISABLED: 'true',
  TABLE_NAME: 'saas-orders-test',
  IDEMPOTENCY_TABLE_NAME: 'saas-orders-test-idempotency',
  ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:5173',
  USER_POOL_ID: 'us-east-1_TestPool1',
  USER_POOL_CLIENT_ID: 'testclient0123456789abcdef',
  BASIC_USAGE_PLAN_NAME: 'saas-orders-test-basic',
  PREMIUM_USAGE_PLAN_NAME: 'saas-orders-test-premium',
  POWERTOOLS_SERVICE_NAME: 'test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_DEV: 'false',
} as const;
