import {
  buildV2AuthorizerEvent,
  buildV2Event,
  type RequestFacts,
  routeArnOf,
} from '../../http-api/payload-v2-event';
import { awsEvent, eventShape } from '../support/aws-events';

/** Each key with the JSON type of its value, recursively for objects (what a consumer's parser checks). */
// Which headers and claims arrive depends on the client and the token, not on the emulator.
const shape = (value: unknown) => eventShape(value, (k) => k === 'headers' || k === 'claims');

const timeEpoch = Date.UTC(2024, 5, 17, 15, 52, 39, 80);

function facts(
  overrides: Partial<RequestFacts> = {},
  request: Partial<RequestFacts['request']> = {},
): RequestFacts {
  return {
    request: {
      method: 'POST',
      rawPath: '/lambda',
      stagePath: '/lambda',
      rawQueryString: '',
      headers: {
        host: ['lsw1ro4ipb.execute-api.eu-west-1.amazonaws.com'],
        'user-agent': ['HTTPie/3.2.2'],
        authorization: ['Bearer foo'],
      },
      body: Buffer.alloc(0),
      sourceIp: '15.248.3.126',
      protocol: 'HTTP/1.1',
      ...request,
    },
    apiId: 'lsw1ro4ipb',
    accountId: '123456789012',
    region: 'eu-west-1',
    stage: '$default',
    routeKey: 'POST /lambda',
    pathParameters: {},
    stageVariables: {},
    requestId: 'ZhNHJhhLjoEEPiw=',
    timeEpoch,
    ...overrides,
  };
}

describe('payload 2.0 integration event', () => {
  it('has the keys and value types of the Lambda-authorizer capture when a Lambda authorizer allowed it', () => {
    expect(shape(buildV2Event(facts(), { lambda: null }))).toEqual(
      shape(awsEvent('apigw-http_lambda-authorizer-auth.json')),
    );
  });

  it('has the keys and value types of the JWT capture with JWT claims', () => {
    const built = buildV2Event(facts(), { jwt: { claims: { sub: 'x' }, scopes: null } });
    expect(shape(built)).toEqual(shape(awsEvent('apigw-http_jwt-authorizer-auth.json')));
  });

  it('matches the no-auth capture except for requestContext.authorizer, which it leaves out', () => {
    // The published no-auth capture repeats the Lambda-authorizer one; AWS's docs show no authorizer key.
    const capture = awsEvent<{ requestContext: Record<string, unknown> }>('apigw-http_no-auth.json');
    const { authorizer: _left, ...requestContext } = capture.requestContext;
    expect(shape(buildV2Event(facts()))).toEqual(shape({ ...capture, requestContext }));
  });

  it('formats requestContext like the capture', () => {
    const built = buildV2Event(facts());
    const capture = awsEvent<{ requestContext: Record<string, unknown> }>('apigw-http_no-auth.json');
    expect(built.requestContext).toMatchObject({
      domainName: capture.requestContext.domainName,
      domainPrefix: capture.requestContext.domainPrefix,
      http: capture.requestContext.http,
      time: capture.requestContext.time,
      timeEpoch,
    });
  });

  it('comma-joins repeated headers and query values, moves cookies out of headers and keeps rawQueryString raw', () => {
    const built = buildV2Event(
      facts(
        { pathParameters: { id: '1' }, stageVariables: { colour: 'blue' } },
        {
          rawQueryString: 'tag=a&tag=b%20c&flag',
          headers: { 'x-multi': ['one', 'two'], cookie: ['a=1; b=2', 'c=3'] },
        },
      ),
    );
    expect(built).toMatchObject({
      rawQueryString: 'tag=a&tag=b%20c&flag',
      queryStringParameters: { tag: 'a,b c', flag: '' },
      cookies: ['a=1', 'b=2', 'c=3'],
      headers: { 'x-multi': 'one,two' },
      pathParameters: { id: '1' },
      stageVariables: { colour: 'blue' },
    });
    expect(built.headers).not.toHaveProperty('cookie');
  });

  it('leaves out queryStringParameters, pathParameters, cookies and body when there are none', () => {
    const built = buildV2Event(facts());
    for (const key of ['queryStringParameters', 'pathParameters', 'stageVariables', 'cookies', 'body']) {
      expect(built).not.toHaveProperty(key);
    }
    expect(built.isBase64Encoded).toBe(false);
  });

  it('passes text bodies as text and binary ones base64-encoded', () => {
    const text = buildV2Event(
      facts({}, { headers: { 'content-type': ['application/json'] }, body: Buffer.from('{"a":1}') }),
    );
    expect(text).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const binary = buildV2Event(facts({}, { headers: { 'content-type': ['image/png'] }, body: png }));
    expect(binary).toMatchObject({ body: png.toString('base64'), isBase64Encoded: true });
  });
});

describe('payload 2.0 Lambda authorizer REQUEST event', () => {
  it('has the keys and value types of the capture', () => {
    const built = buildV2AuthorizerEvent(facts(), routeArnOf(facts()), ['Bearer foo']);
    expect(shape(built)).toEqual(shape(awsEvent('apigw-http_authorizer-request.json')));
    expect(built.routeArn).toBe('arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/POST/lambda');
  });

  it('names the stage and the path under it in the route ARN', () => {
    const named = facts(
      { stage: 'beta' },
      { rawPath: '/beta/items/1', stagePath: '/items/1', method: 'get' },
    );
    expect(routeArnOf(named)).toBe('arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/beta/GET/items/1');
  });
});
