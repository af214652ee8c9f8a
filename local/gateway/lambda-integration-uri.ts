/**
 * An API Gateway Lambda invocation URI, as integrations (`Uri`, `IntegrationUri`) and authorizers
 * (`AuthorizerUri`) of the three gateways name a function:
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`.
 */
const LAMBDA_INVOCATION_URI = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/;

/** The function ARN (possibly qualified by an alias or version) inside a Lambda invocation URI, else undefined. */
export function functionArnOfInvocationUri(uri: unknown): string | undefined {
  return typeof uri === 'string' ? LAMBDA_INVOCATION_URI.exec(uri)?.[1] : undefined;
}
