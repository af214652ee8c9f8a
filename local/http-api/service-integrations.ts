import { jsonPath } from '../eventbridge/target-input';
import type { HttpApiResponse } from './http-api-response';
import { parseQuery, type RequestFacts } from './payload-v2-event';

/** Where the AWS services a first-class integration calls are reached, by `AWS_ENDPOINT_URL_<NAME>` name. */
export type ServiceEndpoints = Readonly<Record<string, string>>;

/** One `IntegrationSubtype` of an HTTP API `AWS_PROXY` integration (EventBridge-PutEvents, …). */
export interface ServiceIntegration {
  /** The `AWS_ENDPOINT_URL_<NAME>` name of the service, lowercased. */
  readonly endpointName: string;
  /** The parameters AWS requires, named when one is missing from the integration. */
  readonly required: readonly string[];
  /** The service request from the mapped parameters: its JSON-protocol target and body. */
  request(parameters: Readonly<Record<string, string>>): {
    readonly target: string;
    readonly contentType: string;
    readonly body: unknown;
  };
}

/**
 * The first-class integrations served: a new subtype is one entry. AWS answers with the service's own response
 * (status and JSON body), which these return as is.
 */
export const SERVICE_INTEGRATIONS: Readonly<Record<string, ServiceIntegration>> = {
  'EventBridge-PutEvents': {
    endpointName: 'eventbridge',
    required: ['Detail', 'DetailType', 'Source'],
    request: (p) => ({
      target: 'AWSEvents.PutEvents',
      contentType: 'application/x-amz-json-1.1',
      body: {
        Entries: [
          {
            Source: p.Source,
            DetailType: p.DetailType,
            Detail: p.Detail,
            ...(p.EventBusName === undefined ? {} : { EventBusName: p.EventBusName }),
            ...(p.Resources === undefined ? {} : { Resources: p.Resources.split(',') }),
            ...(p.Time === undefined ? {} : { Time: p.Time }),
          },
        ],
      },
    }),
  },
  'StepFunctions-StartExecution': {
    endpointName: 'sfn',
    required: ['StateMachineArn'],
    request: (p) => ({
      target: 'AWSStepFunctions.StartExecution',
      contentType: 'application/x-amz-json-1.0',
      body: {
        stateMachineArn: p.StateMachineArn,
        ...(p.Name === undefined ? {} : { name: p.Name }),
        ...(p.Input === undefined ? {} : { input: p.Input }),
      },
    }),
  },
  'StepFunctions-StartSyncExecution': {
    endpointName: 'sfn',
    required: ['StateMachineArn'],
    request: (p) => ({
      target: 'AWSStepFunctions.StartSyncExecution',
      contentType: 'application/x-amz-json-1.0',
      body: {
        stateMachineArn: p.StateMachineArn,
        ...(p.Name === undefined ? {} : { name: p.Name }),
        ...(p.Input === undefined ? {} : { input: p.Input }),
      },
    }),
  },
};

/**
 * One request parameter's value: `$request.body` (whole) or `$request.body.<path>`, `$request.header.<name>`,
 * `$request.querystring.<name>`, `$request.path.<name>`, `$context.<name>`, `$stageVariables.<name>`, or a literal.
 * A value selected from the body that is not a string is its JSON.
 */
export function selectParameter(expression: string, facts: RequestFacts): string | undefined {
  const body = () => {
    try {
      return JSON.parse(facts.request.body.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
  const [, source = '', rest = ''] =
    /^\$(request\.body|request\.header|request\.querystring|request\.path|context|stageVariables)\.?(.*)$/.exec(
      expression,
    ) ?? [];
  const text = (value: unknown) =>
    value === undefined || value === null
      ? undefined
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  switch (source) {
    case '':
      return expression;
    case 'request.body':
      return rest === '' ? facts.request.body.toString('utf8') : text(jsonPath(body(), `$.${rest}`));
    case 'request.header':
      return facts.request.headers[rest.toLowerCase()]?.join(',');
    case 'request.querystring':
      return parseQuery(facts.request.rawQueryString)[rest]?.join(',');
    case 'request.path':
      return facts.pathParameters[rest];
    case 'context':
      return text(
        (
          {
            requestId: facts.requestId,
            stage: facts.stage,
            apiId: facts.apiId,
            routeKey: facts.routeKey,
          } as Record<string, unknown>
        )[rest],
      );
    case 'stageVariables':
      return facts.stageVariables[rest];
    default:
      return undefined;
  }
}

/** Runs a first-class integration: maps the parameters, calls the local service, answers with its response. */
export async function runServiceIntegration(
  integration: ServiceIntegration,
  parameters: Readonly<Record<string, string>>,
  facts: RequestFacts,
  endpoints: ServiceEndpoints,
  signal: AbortSignal,
): Promise<HttpApiResponse | { readonly error: string }> {
  const endpoint = endpoints[integration.endpointName];
  if (!endpoint) return { error: `no local ${integration.endpointName} endpoint` };
  const values: Record<string, string> = {};
  for (const [name, expression] of Object.entries(parameters)) {
    const value = selectParameter(expression, facts);
    if (value !== undefined) values[name] = value;
  }
  const missing = integration.required.filter((name) => values[name] === undefined);
  if (missing.length > 0) return { error: `request parameters ${missing.join(', ')} are missing` };
  const { target, contentType, body } = integration.request(values);
  const answer = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-amz-target': target },
    body: JSON.stringify(body),
    signal,
  });
  return {
    statusCode: answer.status,
    headers: { 'content-type': ['application/json'] },
    body: Buffer.from(await answer.text()),
  };
}
