import { renderVtl } from '../../vtl/render-vtl';
import { createVtlInput } from '../../vtl/vtl-input';
import { applyIntegrationResponse } from '../integration-response';
import { type ParameterSources, resolveMappingExpression } from '../parameter-mapping';
import type { RestIntegrationDefinition } from '../rest-api-definition';
import { type AwsServiceAdapter, type AwsServiceReply, parseServiceUri } from './aws-service-call';
import { dynamoDbServiceAdapter } from './dynamodb-service-adapter';
import type { IntegrationOutcome, IntegrationRequest, RestIntegration } from './rest-integration';
import { s3ServiceAdapter } from './s3-service-adapter';
import { sqsServiceAdapter } from './sqs-service-adapter';

/** The AWS services an `AWS` integration may call locally, by the service name in the integration's Uri. */
const SERVICE_ADAPTERS: Readonly<Record<string, AwsServiceAdapter>> = {
  dynamodb: dynamoDbServiceAdapter,
  s3: s3ServiceAdapter,
  sqs: sqsServiceAdapter,
};

/**
 * The request template for `contentType`, as API Gateway picks it: an exact (case-insensitive) match; else,
 * by `PassthroughBehavior`, the raw body (`WHEN_NO_MATCH`, the default; `WHEN_NO_TEMPLATES` only when the
 * method has no templates at all) or a 415 (`NEVER`).
 */
function requestTemplate(
  integration: RestIntegrationDefinition,
  contentType: string,
): { readonly template: string } | { readonly passthrough: true } | { readonly unsupportedMediaType: true } {
  const templates = Object.entries(integration.requestTemplates);
  const match = templates.find(([type]) => type.toLowerCase() === contentType.toLowerCase());
  if (match) return { template: match[1] };
  const behavior = integration.passthroughBehavior;
  if (behavior === 'WHEN_NO_MATCH' || (behavior === 'WHEN_NO_TEMPLATES' && templates.length === 0)) {
    return { passthrough: true };
  }
  return { unsupportedMediaType: true };
}

/** `integration.request.{header|querystring|path}.*` of `RequestParameters`, evaluated against the method request. */
function integrationParameters(
  integration: RestIntegrationDefinition,
  sources: ParameterSources,
): {
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  readonly path: Record<string, string>;
} {
  const headers: Record<string, string> = {};
  const query: Record<string, string> = {};
  const path: Record<string, string> = {};
  for (const [target, expression] of Object.entries(integration.requestParameters)) {
    const value = resolveMappingExpression(expression, sources);
    if (value === undefined) continue;
    const [, kind, name] = /^integration\.request\.(header|querystring|path)\.(.+)$/.exec(target) ?? [];
    if (kind === 'header' && name) headers[name] = value;
    if (kind === 'querystring' && name) query[name] = value;
    if (kind === 'path' && name) path[name] = value;
  }
  return { headers, query, path };
}

/**
 * `AWS` integrations (API Gateway calling an AWS service directly, no function in between): the request
 * template is rendered with the VTL engine (`$input`, `$util`, `$context` with the authorizer's context and
 * identity), the call dispatched to the local engine of that service (DynamoDB, S3, SQS — see SERVICE_ADAPTERS),
 * and the service's status code selects the integration response, whose template and status are applied.
 * The integration's credentials role is logged with the call but not enforced (there is no IAM locally).
 */
export const awsServiceIntegration: RestIntegration = {
  unsupported(integration) {
    const target = parseServiceUri(integration.uri);
    if (!target) return `AWS integration Uri ${String(integration.uri)} is not an API Gateway service URI`;
    const adapter = SERVICE_ADAPTERS[target.service];
    if (!adapter) {
      return `AWS integration with ${target.service} is not emulated (services: ${Object.keys(SERVICE_ADAPTERS).join(', ')})`;
    }
    return adapter.unsupported(target);
  },

  async run(request: IntegrationRequest): Promise<IntegrationOutcome> {
    const { integration, definition, route } = request;
    const where = `${definition.name}: ${request.request.method.toUpperCase()} ${route.resource.path}`;
    const unsupported = awsServiceIntegration.unsupported?.(integration);
    const target = parseServiceUri(integration.uri);
    const adapter = target ? SERVICE_ADAPTERS[target.service] : undefined;
    const endpoint = target ? request.awsServices.endpoints[target.service] : undefined;
    if (unsupported || !target || !adapter || !endpoint) {
      request.log(`${where}: ${unsupported ?? `no local endpoint for ${target?.service}`}`);
      return { error: { responseType: 'API_CONFIGURATION_ERROR' } };
    }

    const contentType =
      request.request.headers['content-type']?.at(-1)?.split(';')[0]?.trim() || 'application/json';
    const chosen = requestTemplate(integration, contentType);
    if ('unsupportedMediaType' in chosen) return { error: { responseType: 'UNSUPPORTED_MEDIA_TYPE' } };
    const requestBody = request.request.body.toString('utf8');
    const params = {
      path: request.sources.requestPath,
      querystring: request.sources.requestQuery,
      header: request.sources.requestHeaders,
    };
    const body =
      'template' in chosen
        ? renderVtl(chosen.template, {
            input: createVtlInput(requestBody, params),
            context: request.vtlContext,
            stageVariables: request.stage.variables,
          })
        : requestBody;
    const mapped = integrationParameters(integration, { ...request.sources, context: request.vtlContext });

    const { timeoutMs } = request;
    let reply: AwsServiceReply;
    try {
      reply = await adapter.call({
        target,
        body,
        bodyBytes: 'template' in chosen ? Buffer.from(body, 'utf8') : request.request.body,
        ...(integration.httpMethod ? { httpMethod: integration.httpMethod } : {}),
        pathParameters: mapped.path,
        headers: mapped.headers,
        query: mapped.query,
        endpoint,
        region: request.region,
        credentials: request.awsServices.credentials,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        request.log(`${where}: ${target.service} did not answer within ${timeoutMs} ms`);
        return { error: { responseType: 'INTEGRATION_TIMEOUT' } };
      }
      request.log(`${where}: ${target.service} call failed: ${String(error)}`);
      return { error: { responseType: 'INTEGRATION_FAILURE', statusCode: 500 } };
    }
    const role = integration.credentials === undefined ? '' : ` as ${integration.credentials}`;
    request.log(`${where} → ${target.service}:${target.value}${role} → ${reply.statusCode}`);

    const response = applyIntegrationResponse({
      integration,
      selector: String(reply.statusCode),
      body: reply.body,
      ...(reply.bodyBytes ? { bodyBytes: reply.bodyBytes } : {}),
      headers: reply.headers,
      context: request.vtlContext,
      sources: request.sources,
      accept: request.request.headers.accept?.at(-1),
    });
    if (!response) {
      request.log(`${where}: no integration response matches status ${reply.statusCode} and none is default`);
      return { error: { responseType: 'API_CONFIGURATION_ERROR' } };
    }
    return { response };
  },
};
