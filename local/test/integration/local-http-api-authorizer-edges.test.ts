import { createHttpApiServer, type HttpApiServer } from '../../http-api/http-api-server';
import { LambdaInvocationError, type LambdaInvoker, type LocalCloudModel } from '../../model';
import { resourcesIn } from '../support/model-resource';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const AUTHORIZER_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:policy-authorizer`;
const HANDLER_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:handler`;

const resource = resourcesIn('Edges');

/** A hand-built model: one API, a policy-format (not simple) Lambda authorizer on two routes, no cache. */
const model: LocalCloudModel = {
  region: REGION,
  accountId: ACCOUNT,
  resources: [
    resource('Api', 'AWS::ApiGatewayV2::Api', 'edgeapi001', { Name: 'edges', ProtocolType: 'HTTP' }),
    resource('Stage', 'AWS::ApiGatewayV2::Stage', '$default', { ApiId: 'edgeapi001', StageName: '$default' }),
    resource('Integration', 'AWS::ApiGatewayV2::Integration', 'int0001', {
      ApiId: 'edgeapi001',
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: HANDLER_ARN,
      PayloadFormatVersion: '2.0',
    }),
    resource('Authorizer', 'AWS::ApiGatewayV2::Authorizer', 'auth001', {
      ApiId: 'edgeapi001',
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerUri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${AUTHORIZER_ARN}/invocations`,
      IdentitySource: ['$request.header.x-token'],
      AuthorizerResultTtlInSeconds: 0,
    }),
    ...['GET /reports', 'DELETE /reports'].map((RouteKey, i) =>
      resource(`Route${i}`, 'AWS::ApiGatewayV2::Route', `route00${i}`, {
        ApiId: 'edgeapi001',
        RouteKey,
        AuthorizationType: 'CUSTOM',
        AuthorizerId: 'auth001',
        Target: 'integrations/int0001',
      }),
    ),
  ],
};

/** The authorizer's answer by token: a policy allowing GET only, a throw, or a malformed result. */
const invoker: LambdaInvoker = {
  async invoke(functionArn, event) {
    if (functionArn === HANDLER_ARN) return { statusCode: 200, body: JSON.stringify(event) };
    const token = (event as { identitySource: string[] }).identitySource[0];
    if (token === 'throws') throw new LambdaInvocationError('boom', 'Unhandled');
    if (token === 'malformed') return { isAuthorized: true };
    return {
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: `arn:aws:execute-api:*:*:edgeapi001/*/GET/*`,
          },
        ],
      },
      context: { tenant: 't-1' },
    };
  },
};

let server: HttpApiServer;
let base: string;

beforeAll(async () => {
  server = createHttpApiServer({
    model,
    apiId: 'Api',
    invoker,
    region: REGION,
    accountId: ACCOUNT,
    credentials: { accessKeyId: 'AKIAEDGES', secretAccessKey: 'edges' },
    log: () => {},
  });
  base = await server.listen(0);
});

afterAll(() => server.close());

const call = (method: string, token: string) =>
  fetch(`${base}/reports`, { method, headers: { 'x-token': token } });

describe('HTTP API Lambda authorizer with IAM-policy responses', () => {
  it('allows a route the policy covers and passes the context on under authorizer.lambda', async () => {
    const response = await call('GET', 'good');

    expect(response.status).toBe(200);
    const event = (await response.json()) as { requestContext: { authorizer: unknown } };
    expect(event.requestContext.authorizer).toEqual({ lambda: { tenant: 't-1' } });
  });

  it('answers 403 {"message":"Forbidden"} for a route the policy does not cover', async () => {
    const response = await call('DELETE', 'good');

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it.each([
    ['throws', 'throws'],
    ['returns a malformed result', 'malformed'],
  ])('answers 500 when the authorizer %s', async (_name, token) => {
    const response = await call('GET', token);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });
});
