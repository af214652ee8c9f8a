import * as apigw from 'aws-cdk-lib/aws-apigateway';

/** One field of a JSON access-log line: the `$context` variable, and whether it is written as a JSON number. */
interface AccessLogField {
  readonly variable: string;
  /**
   * Written unquoted, so Contributor Insights and Logs Insights compare and aggregate it as a number. Only
   * for variables API Gateway always sets: a missing one is written `-`, which unquoted is not JSON.
   */
  readonly numeric?: boolean;
}

/**
 * The REST stage's access-log line. `tenantId`, `userId` and `tier` come from the Lambda authorizer's context
 * (`-` on routes behind another authorizer or none); `status` and `responseLatency` are numbers, because the
 * Contributor Insights rules and the Logs Insights queries filter and aggregate on them. Values API Gateway does
 * not escape and a client controls (user agent, raw path, error message) are left out: a quote in one would
 * break the line's JSON.
 */
export const REST_ACCESS_LOG_FIELDS = {
  requestId: { variable: '$context.requestId' },
  extendedRequestId: { variable: '$context.extendedRequestId' },
  requestTime: { variable: '$context.requestTime' },
  route: { variable: '$context.httpMethod $context.resourcePath' },
  status: { variable: '$context.status', numeric: true },
  responseLatency: { variable: '$context.responseLatency', numeric: true },
  integrationLatency: { variable: '$context.integrationLatency' },
  integrationStatus: { variable: '$context.integration.status' },
  tenantId: { variable: '$context.authorizer.tenantId' },
  userId: { variable: '$context.authorizer.userId' },
  tier: { variable: '$context.authorizer.tier' },
  authorizerLatency: { variable: '$context.authorizer.latency' },
  apiKeyId: { variable: '$context.identity.apiKeyId' },
  sourceIp: { variable: '$context.identity.sourceIp' },
  responseLength: { variable: '$context.responseLength' },
  errorType: { variable: '$context.error.responseType' },
  wafStatus: { variable: '$context.waf.status' },
  xrayTraceId: { variable: '$context.xrayTraceId' },
} as const satisfies Record<string, AccessLogField>;

/** A field name of the REST access-log line (what the insight rules and queries refer to). */
export type RestAccessLogField = keyof typeof REST_ACCESS_LOG_FIELDS;

/** The REST stage's access-log format: one JSON object per request, built from `REST_ACCESS_LOG_FIELDS`. */
export function restAccessLogFormat(): apigw.AccessLogFormat {
  const fields: [string, AccessLogField][] = Object.entries(REST_ACCESS_LOG_FIELDS);
  const members = fields.map(([name, field]) =>
    field.numeric ? `"${name}":${field.variable}` : `"${name}":"${field.variable}"`,
  );
  return apigw.AccessLogFormat.custom(`{${members.join(',')}}`);
}
