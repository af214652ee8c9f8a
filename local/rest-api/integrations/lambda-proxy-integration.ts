import { LambdaPermissionError } from '../../iam/invocation-guard';
import { LambdaInvocationError } from '../../model';
import { buildProxyEvent, parseProxyResult } from '../proxy-event';
import { setHeader } from '../rest-response';
import type { RestIntegration } from './rest-integration';

/**
 * `AWS_PROXY` to Lambda: the request becomes a payload 1.0 proxy event and the function's result the
 * response. A function error or a malformed result is a 502, as in AWS; a result without `statusCode` is a 200
 * (see `ProxyResultOptions`).
 */
export const lambdaProxyIntegration: RestIntegration = {
  async run(request) {
    const { definition, stage, route } = request;
    const { functionArn } = request.integration;
    if (!functionArn) {
      request.log(`${definition.name}: AWS_PROXY on ${route.resource.path} is not a Lambda function`);
      return { error: { responseType: 'API_CONFIGURATION_ERROR' } };
    }
    const event = buildProxyEvent({
      request: request.request,
      resourcePath: route.resource.path,
      resourceId: route.resource.id,
      pathParameters: route.pathParameters,
      stageVariables: stage.variables,
      stage: stage.name,
      deploymentId: stage.deploymentId,
      apiId: definition.apiId,
      accountId: request.accountId,
      region: request.region,
      requestId: request.requestId,
      extendedRequestId: request.extendedRequestId,
      requestTimeEpoch: request.startedAt,
      authorizer: request.authorizer,
      identity: request.identity,
      binaryMediaTypes: definition.binaryMediaTypes,
    });
    let result: unknown;
    try {
      result = await request.invoker.invoke(functionArn, event);
    } catch (error) {
      if (error instanceof LambdaPermissionError) {
        // API Gateway's log line for a function without a permission for the API; the client sees a 500.
        request.log(`${definition.name}: Execution failed due to configuration error: ${error.message}`);
        return { error: { responseType: 'API_CONFIGURATION_ERROR' } };
      }
      if (!(error instanceof LambdaInvocationError)) throw error;
      request.log(`${definition.name}: ${functionArn} failed (${error.errorType}): ${error.message}`);
      return { error: { responseType: 'DEFAULT_5XX', statusCode: 502 } };
    }
    const response = parseProxyResult(result, { defaultStatusCode: 200 });
    if (!response) {
      request.log(`${definition.name}: malformed Lambda proxy response from ${functionArn}`);
      return { error: { responseType: 'DEFAULT_5XX', statusCode: 502 } };
    }
    if (!Object.keys(response.headers).some((name) => name.toLowerCase() === 'content-type')) {
      setHeader(response.headers, 'Content-Type', 'application/json');
    }
    return { response };
  },
};
