import type { LocalResource } from '../../model';
import { RequestValidation } from '../../rest-api/request-validation';
import { parseModel, parseRequestValidator, parseRestMethod } from '../../rest-api/rest-api-definition';

const resource = (type: string, physicalId: string, properties: Record<string, unknown>): LocalResource => ({
  stackName: 'S',
  logicalId: physicalId,
  type,
  physicalId,
  properties,
  attributes: {},
});

const validators = new Map([
  [
    'v1',
    parseRequestValidator(
      resource('AWS::ApiGateway::RequestValidator', 'v1', {
        ValidateRequestBody: true,
        ValidateRequestParameters: true,
      }),
    ),
  ],
]);
const models = new Map([
  [
    'Order',
    parseModel(
      resource('AWS::ApiGateway::Model', 'Order', {
        Schema: {
          $schema: 'http://json-schema.org/draft-04/schema#',
          type: 'object',
          required: ['sku', 'qty'],
          additionalProperties: false,
          properties: {
            sku: { type: 'string' },
            qty: { type: 'integer', minimum: 1 },
            contact: { type: 'string', format: 'email' },
          },
        },
      }),
    ),
  ],
]);
const method = parseRestMethod(
  resource('AWS::ApiGateway::Method', 'm', {
    RequestValidatorId: 'v1',
    RequestModels: { 'application/json': 'Order' },
    RequestParameters: {
      'method.request.querystring.tenant': true,
      'method.request.header.x-optional': false,
    },
  }),
);

const validate = (body: string, query: Record<string, string[]> = { tenant: ['t'] }) =>
  new RequestValidation().validate({
    method,
    validators,
    models,
    headers: { 'content-type': ['application/json; charset=utf-8'] },
    query,
    pathParameters: {},
    body: Buffer.from(body),
  });

describe('request validation', () => {
  it('passes a valid request', () => {
    expect(validate('{"sku":"a","qty":2}')).toBeUndefined();
  });

  it('reports missing required parameters first, as BAD_REQUEST_PARAMETERS', () => {
    expect(validate('{}', {})).toMatchObject({
      responseType: 'BAD_REQUEST_PARAMETERS',
      message: 'Missing required request parameters: [tenant]',
    });
  });

  it('describes every body violation in the JSON schema validator words AWS uses', () => {
    expect(validate('{"qty":0,"x":1}')).toEqual({
      responseType: 'BAD_REQUEST_BODY',
      validationErrorString:
        '[object has missing required properties (["sku"]), object instance has properties which are not allowed by the schema: ["x"], numeric instance is lower than the required minimum (minimum: 1, found: 0)]',
    });
    expect(validate('{"sku":1,"qty":1}')?.validationErrorString).toBe(
      '[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]',
    );
  });

  it('checks draft-04 string formats such as email, as API Gateway does', () => {
    expect(validate('{"sku":"a","qty":2,"contact":"ops@example.com"}')).toBeUndefined();
    expect(validate('{"sku":"a","qty":2,"contact":"not-an-email"}')).toEqual({
      responseType: 'BAD_REQUEST_BODY',
      validationErrorString: '[string "not-an-email" is not a valid email address]',
    });
  });

  it('quotes at most a short prefix of an offending value or property name, never the whole of it', () => {
    const huge = 'z'.repeat(1024 * 1024);
    const message = validate(
      JSON.stringify({ sku: 'a', qty: 1, contact: huge, [huge]: 1 }),
    )?.validationErrorString;
    expect(message).toContain('is not a valid email address');
    expect(message).toContain('"zzzzzzzz');
    expect(message?.length).toBeLessThan(400);
  });

  it('rejects a body that is not JSON', () => {
    expect(validate('{nope')?.responseType).toBe('BAD_REQUEST_BODY');
  });
});
