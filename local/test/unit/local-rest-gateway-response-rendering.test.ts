import { gatewayResponse } from '../../rest-api/gateway-response-rendering';
import { type GatewayResponseDefinition, parseGatewayResponse } from '../../rest-api/rest-api-definition';

const custom = (type: string, properties: Record<string, unknown>): [string, GatewayResponseDefinition] => [
  type,
  parseGatewayResponse({
    stackName: 'S',
    logicalId: type,
    type: 'AWS::ApiGateway::GatewayResponse',
    physicalId: type,
    properties: { ResponseType: type, ...properties },
    attributes: {},
  }),
];

const scope = (responses: Array<[string, GatewayResponseDefinition]> = []) => ({
  gatewayResponses: new Map(responses),
  context: { stage: 'prod', requestId: 'req-1' },
  sources: {
    requestHeaders: { Origin: 'https://app.example.com' },
    requestQuery: {},
    requestPath: {},
    stageVariables: {},
  },
});

const json = (body: Buffer): unknown => JSON.parse(body.toString('utf8'));

describe('gateway responses', () => {
  it.each([
    ['MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token'],
    ['UNAUTHORIZED', 401, 'Unauthorized'],
    ['INVALID_API_KEY', 403, 'Forbidden'],
    ['THROTTLED', 429, 'Too Many Requests'],
    ['QUOTA_EXCEEDED', 429, 'Limit Exceeded'],
    ['BAD_REQUEST_BODY', 400, 'Invalid request body'],
  ])('answers %s with AWS default %d {"message": "%s"}', (type, status, message) => {
    const response = gatewayResponse({ responseType: type }, scope());
    expect(response.statusCode).toBe(status);
    expect(json(response.body)).toEqual({ message });
    expect(response.headers['Content-Type']).toEqual(['application/json']);
  });

  it('uses the customised response of the type: status, literal and request-mapped headers, VTL template', () => {
    const response = gatewayResponse(
      { responseType: 'UNAUTHORIZED' },
      scope([
        custom('UNAUTHORIZED', {
          StatusCode: '401',
          ResponseParameters: {
            'gatewayresponse.header.WWW-Authenticate': "'Bearer'",
            'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.origin',
          },
          ResponseTemplates: {
            'application/json': '{"error":$context.error.messageString,"id":"$context.requestId"}',
          },
        }),
      ]),
    );
    expect(response.statusCode).toBe(401);
    expect(response.headers['WWW-Authenticate']).toEqual(['Bearer']);
    expect(response.headers['Access-Control-Allow-Origin']).toEqual(['https://app.example.com']);
    expect(json(response.body)).toEqual({ error: 'Unauthorized', id: 'req-1' });
  });

  it('falls back to DEFAULT_4XX for 4xx types but keeps the type status code', () => {
    const response = gatewayResponse(
      { responseType: 'THROTTLED' },
      scope([
        custom('DEFAULT_4XX', {
          StatusCode: '400',
          ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
        }),
      ]),
    );
    expect(response.statusCode).toBe(429);
    expect(response.headers['Access-Control-Allow-Origin']).toEqual(['*']);
    expect(json(response.body)).toEqual({ message: 'Too Many Requests' });
  });

  it('falls back to DEFAULT_5XX for a 502 and never applies DEFAULT_4XX to it', () => {
    const response = gatewayResponse(
      { responseType: 'DEFAULT_5XX', statusCode: 502 },
      scope([custom('DEFAULT_4XX', { ResponseParameters: { 'gatewayresponse.header.X-Four': "'4'" } })]),
    );
    expect(response.statusCode).toBe(502);
    expect(response.headers['X-Four']).toBeUndefined();
    expect(json(response.body)).toEqual({ message: 'Internal server error' });
  });

  it('exposes the validation error string to templates', () => {
    const response = gatewayResponse(
      {
        responseType: 'BAD_REQUEST_BODY',
        validationErrorString: '[object has missing required properties (["name"])]',
      },
      scope([
        custom('BAD_REQUEST_BODY', {
          ResponseTemplates: {
            'application/json': '{"detail":"$util.escapeJavaScript($context.error.validationErrorString)"}',
          },
        }),
      ]),
    );
    expect(json(response.body)).toEqual({ detail: '[object has missing required properties (["name"])]' });
  });
});
