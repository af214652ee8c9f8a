import { renderVtl } from '../vtl/render-vtl';
import { createVtlInput } from '../vtl/vtl-input';
import { mapResponseHeaders, type ParameterSources } from './parameter-mapping';
import type { IntegrationResponseDefinition, RestIntegrationDefinition } from './rest-api-definition';
import { type RestResponse, selectTemplate, setHeader } from './rest-response';

/** Input of the integration-response step of a non-proxy integration (MOCK, AWS, HTTP). */
export interface IntegrationResult {
  /** The method's integration, as read at start. */
  readonly integration: RestIntegrationDefinition;
  /** What SelectionPattern is matched against: the status code for MOCK/HTTP, the error message for Lambda. */
  readonly selector: string;
  readonly body: string;
  /** The body as bytes, when the backend's answer may be binary: passed through unchanged when no template applies. */
  readonly bodyBytes?: Buffer;
  readonly headers: Record<string, string>;
  /** `$context` of the request; `responseOverride` is read back after rendering. */
  readonly context: Record<string, unknown>;
  readonly sources: Omit<ParameterSources, 'context' | 'integrationHeaders' | 'integrationBody'>;
  readonly accept?: string;
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
  responses: readonly IntegrationResponseDefinition[],
  selector: string,
): IntegrationResponseDefinition | undefined {
  const patterned = responses.find(
    (r) => r.selectionPattern !== undefined && fullMatch(r.selectionPattern, selector),
  );
  return patterned ?? responses.find((r) => r.selectionPattern === undefined);
}

/**
 * Maps an integration's result through the method's IntegrationResponses: status, ResponseParameters
 * (`method.response.header.*`), ResponseTemplates (VTL, chosen by Accept) and `$context.responseOverride`.
 * Returns `undefined` when no integration response matches (API Gateway then answers 500).
 */
export function applyIntegrationResponse(result: IntegrationResult): RestResponse | undefined {
  const chosen = selectIntegrationResponse(result.integration.responses, result.selector);
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
  const template = selectTemplate(chosen.responseTemplates, result.accept);
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
    mapResponseHeaders(chosen.responseParameters, 'method.response.header.', sources),
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
      : chosen.statusCode;
  const bytes = !template && result.bodyBytes ? result.bodyBytes : Buffer.from(body, 'utf8');
  return { statusCode, headers, body: bytes };
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
  const templates = result.integration.requestTemplates;
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
