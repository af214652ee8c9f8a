import {
  baseIdentity,
  buildProxyEvent,
  formatRequestTime,
  parseProxyResult,
} from '../../rest-api/proxy-event';
import { awsEvent, eventShape } from '../support/aws-events';

const fixture = (name: string): Record<string, unknown> => awsEvent(name);

/** Each key with the JSON type of its value, recursively for objects (what a consumer's parser checks). */
// Which headers arrive depends on the client (CloudFront adds its own), not on the emulator.
const shape = (value: unknown) => eventShape(value, (k) => k === 'headers' || k === 'multiValueHeaders');

const requestTimeEpoch = Date.UTC(2024, 5, 17, 14, 48, 13, 506);

function event(overrides: Partial<Parameters<typeof buildProxyEvent>[0]> = {}): Record<string, unknown> {
  return buildProxyEvent({
    request: {
      method: 'POST',
      path: '/no-auth',
      headers: { host: ['abc123defg.execute-api.eu-west-1.amazonaws.com'], 'user-agent': ['HTTPie/3.2.2'] },
      rawHeaders: ['Host', 'abc123defg.execute-api.eu-west-1.amazonaws.com', 'User-Agent', 'HTTPie/3.2.2'],
      query: {},
      body: Buffer.alloc(0),
      sourceIp: '15.248.3.126',
    },
    resourcePath: '/no-auth',
    resourceId: '3nq1cq',
    pathParameters: {},
    stageVariables: {},
    stage: 'prod',
    deploymentId: 'v99qix',
    apiId: 'abc123defg',
    accountId: '123456789012',
    region: 'eu-west-1',
    requestId: 'f88e38e3-2060-4a56-93c0-9efbc6a659a0',
    extendedRequestId: 'ZhDrKF5dDoEEHfA=',
    requestTimeEpoch,
    identity: baseIdentity('15.248.3.126', 'HTTPie/3.2.2'),
    binaryMediaTypes: [],
    ...overrides,
  });
}

describe('Lambda proxy event (payload 1.0)', () => {
  it('has exactly the keys and value types of the no-auth capture', () => {
    expect(shape(event())).toEqual(shape(fixture('apigw-rest_no-auth.json')));
  });

  it('has the keys and types of the Lambda-authorizer capture when an authorizer ran', () => {
    const built = event({ authorizer: { principalId: 'user', integrationLatency: 422 } });
    expect(shape(built)).toEqual(shape(fixture('apigw-rest_lambda-authorizer-auth.json')));
  });

  it('formats requestTime like AWS and prefixes the stage to requestContext.path', () => {
    const built = event();
    expect(formatRequestTime(requestTimeEpoch)).toBe('17/Jun/2024:14:48:13 +0000');
    expect(built.requestContext).toMatchObject({
      path: '/prod/no-auth',
      requestTimeEpoch,
      domainPrefix: 'abc123defg',
    });
  });

  it('keeps header casing, the last value in headers and every value in multiValueHeaders', () => {
    const built = event({
      request: {
        method: 'GET',
        path: '/x',
        headers: { 'x-a': ['1', '2'] },
        rawHeaders: ['X-A', '1', 'X-A', '2'],
        query: { q: ['a', 'b'] },
        body: Buffer.from('hi'),
        sourceIp: '127.0.0.1',
      },
    });
    expect(built).toMatchObject({
      headers: { 'X-A': '2' },
      multiValueHeaders: { 'X-A': ['1', '2'] },
      queryStringParameters: { q: 'b' },
      multiValueQueryStringParameters: { q: ['a', 'b'] },
      body: 'hi',
      isBase64Encoded: false,
    });
  });
});

describe('Lambda proxy result', () => {
  it('merges headers and multiValueHeaders, the multi-value ones winning', () => {
    const response = parseProxyResult({
      statusCode: 201,
      headers: { 'Set-Cookie': 'a=1', 'X-One': 1 },
      multiValueHeaders: { 'set-cookie': ['b=2', 'c=3'] },
      body: 'ok',
    });
    expect(response?.statusCode).toBe(201);
    expect(response?.headers).toEqual({ 'X-One': ['1'], 'set-cookie': ['b=2', 'c=3'] });
    expect(response?.body.toString()).toBe('ok');
  });

  it('decodes a base64 body', () => {
    expect(parseProxyResult({ statusCode: 200, body: 'AAH/', isBase64Encoded: true })?.body).toEqual(
      Buffer.from([0, 1, 255]),
    );
  });

  it.each([
    ['a string', 'hello'],
    ['no statusCode', { body: 'x' }],
    ['a non-string body', { statusCode: 200, body: { a: 1 } }],
    ['an unknown key', { statusCode: 200, extra: true }],
    ['an object header value', { statusCode: 200, headers: { a: { b: 1 } } }],
  ])('calls %s malformed', (_label, result) => {
    expect(parseProxyResult(result)).toBeUndefined();
  });
});
