import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One X-Ray tracer per function (the service name comes from POWERTOOLS_SERVICE_NAME). Outside a Lambda
 * execution environment (no AWS_EXECUTION_ENV: unit and integration tests) it is disabled and every call is a
 * no-op; SDK clients are wrapped with `tracer.captureAWSv3Client` where they are created.
 */
export const tracer = new Tracer();
