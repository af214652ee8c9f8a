import { renderVtl } from '../vtl/render-vtl';
import { createVtlInput } from '../vtl/vtl-input';
import { mapResponseHeaders, type ParameterSources } from './parameter-mapping';
import { type RestResponse, selectTemplate, setHeader } from './rest-response';

/** Input of the integration-response step of a non-proxy integration (MOCK, AWS, HTTP). */
export interface IntegrationResult {
  /** The `Integration` property of the AWS::ApiGateway::Method. */
  readonly integration: Record<string, unknown>;
  /** What SelectionPattern is matched against: the status code for MOCK/HTTP, the error message for Lambda. */
  readonly selector: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  /** `$context` of the request; `responseOverride` is read back after rendering. */
  readonly context: Record<string, unknown>;
  readonly sources: Omit<ParameterSources, 'context' | 'integrationHeaders' | 'integrationBody'>;
  readonly accept?: string;
}

interface IntegrationResponseEntry {
  readonly StatusCode?: unknown;
  readonly SelectionPattern?: unknown;
  readonly ResponseParameters?: Record<string, unknown>;
  readonly ResponseTemplates?: Record<string, unknown>;
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 's').test(value);
  } catch {
    return false;
  }
}

/** Picks the integration response whose SelectionPattern matches, else the default one (no pattern). */
export function selectIntegrationResponse(
  responses: readonly IntegrationResponseEntry[],
  selector: string,
): IntegrationResponseEntry | undefined {
  const patterned = responses.find(
    (r) =>
      typeof r.SelectionPattern === 'string' &&
      r.SelectionPattern !== '' &&
      fullMatch(r.SelectionPattern, selector),
  );
  return patterned ?? responses.find((r) => r.SelectionPattern === undefined || r.SelectionPattern === '');
}

/**
 * Maps an integration's result through the method's IntegrationResponses: status, ResponseParameters
 * (`method.response.header.*`), ResponseTemplates (VTL, chosen by Accept) and `$context.responseOverride`.
 * Returns `undefined` when no integration response matches (API Gateway then answers 500).
 */
export function applyIntegrationResponse(result: IntegrationResult): RestResponse | undefined {
  const responses = Array.isArray(result.integration.IntegrationResponses)
    ? (result.integration.IntegrationResponses as IntegrationResponseEntry[])
    : [];
  const chosen = selectIntegrationResponse(responses, result.selector);
  if (!chosen) return undefined;
  const override = { status: null as unknown, header: {} as Record<string, unknown> };
  const context: Record<string, unknown> = { ...result.context, responseOverride: override };
  const sources: ParameterSources = {
    ...result.sources,
    context,
    integrationHeaders: result.headers,
    integrationBody: result.body,
  };
  const headers: Record<string, string[]> = {};
  const template = selectTemplate(chosen.ResponseTemplates, result.accept);
  let body = result.body;
  if (template) {
    body = renderVtl(template.template, {
      // $input.params() still means the method request's parameters here (CDK's CORS template relies on it).
      input: createVtlInput(result.body, {
        path: result.sources.requestPath,
        querystring: result.sources.requestQuery,
        header: result.sources.requestHeaders,
      }),
      context,
      stageVariables: result.sources.stageVariables,
    });
  }
  setHeader(headers, 'Content-Type', template?.contentType ?? 'application/json');
  for (const [name, value] of Object.entries(
    mapResponseHeaders(chosen.ResponseParameters, 'method.response.header.', sources),
  )) {
    setHeader(headers, name, value);
  }
  for (const [name, value] of Object.entries(override.header)) {
    if (value !== null && value !== undefined) setHeader(headers, name, String(value));
  }
  const overriddenStatus = Number(override.status);
  const statusCode =
    override.status !== null && Number.isInteger(overriddenStatus) && overriddenStatus > 0
      ? overriddenStatus
      : Number(chosen.StatusCode ?? 200);
  return { statusCode, headers, body: Buffer.from(body, 'utf8') };
}

/**
 * Runs a MOCK integration: the request template (chosen by Content-Type) yields `{"statusCode": N}`, which
 * selects the integration response. No template means status 200.
 */
export function runMockIntegration(
  result: Omit<IntegrationResult, 'selector' | 'body' | 'headers'> & {
    readonly requestBody: string;
    readonly contentType?: string;
  },
): RestResponse | undefined {
  const templates = result.integration.RequestTemplates as Record<string, unknown> | undefined;
  const requestTemplate = selectTemplate(templates, result.contentType ?? 'application/json');
  let statusCode = '200';
  if (requestTemplate) {
    const rendered = renderVtl(requestTemplate.template, {
      input: createVtlInput(result.requestBody, {
        path: result.sources.requestPath,
        querystring: result.sources.requestQuery,
        header: result.sources.requestHeaders,
      }),
      context: result.context,
      stageVariables: result.sources.stageVariables,
    });
    // CDK writes `{ statusCode: 200 }` (not JSON), so read the number rather than parse.
    const found = /["']?statusCode["']?\s*:\s*["']?(\d{3})/.exec(rendered);
    if (found?.[1]) statusCode = found[1];
  }
  return applyIntegrationResponse({ ...result, selector: statusCode, body: '', headers: {} });
}
