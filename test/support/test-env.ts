/**
 * The environment the stateless stack gives the functions under test. Tests pass it to each service's
 * `read…Config` explicitly (so it is validated exactly as at run time); it never goes through `process.env`.
 */
export const TEST_ENV = {
  TABLE_NAME: 'saas-orders-test',
  IDEMPOTENCY_TABLE_NAME: 'saas-orders-test-idempotency',
  ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:5173',
  USER_POOL_ID: 'us-east-1_TestPool1',
  USER_POOL_CLIENT_ID: 'testclient0123456789abcdef',
  TOKEN_URL: 'https://saas-orders-test.auth.us-east-1.amazoncognito.com/oauth2/token',
  BASIC_USAGE_PLAN_NAME: 'saas-orders-test-basic',
  PREMIUM_USAGE_PLAN_NAME: 'saas-orders-test-premium',
  REST_API_ID: 'testapi123',
  STAGE_NAME: 'test',
  STAGE_CACHE: 'off',
  CALLBACK_URL: 'https://testws123.execute-api.us-east-1.amazonaws.com/test',
  OFFBOARDING_QUEUE_URL: 'http://127.0.0.1:9/123456789012/offboarding',
  FILES_BUCKET_NAME: 'saas-orders-test-files',
  TENANT_DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/saas-orders-test-tenant-data',
} as const;

/**
 * What libraries read from the environment themselves, not our config: the AWS SDK (region and credentials,
 * fake ones, and no instance-metadata lookups) and Powertools (service name and a silent log level).
 * Applied by test/support/library-env.ts before any test module loads, because both read it at client or
 * logger creation.
 */
export const LIBRARY_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_EC2_METADATA_DISABLED: 'true',
  // A handler test that forgot its unscoped tenant data fails here at once instead of asking the real STS.
  AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
  POWERTOOLS_SERVICE_NAME: 'test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_DEV: 'false',
} as const;
