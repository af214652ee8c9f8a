import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * A Lambda proxy function that answers `{ body }` without `statusCode`, behind a REST API (AWS_PROXY) and an
 * HTTP API with payload 2.0 and 1.0, in a small CDK app of our own: REST and 2.0 answer 200, 1.0 answers 500
 * (see `ProxyResultOptions` in rest-api/proxy-event.ts for the sources).
 */
let served: CloudOnApp | undefined;
let restUrl = '';
let httpUrl = '';

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'ProxyStatusApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const fn = (id: string, result: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(`exports.handler = async () => (${result});`),
    });
  const bodyOnly = fn('BodyOnly', '{ body: JSON.stringify({ hello: "world" }) }');
  const empty = fn('Empty', '{}');
  const extra = fn('Extra', '{ body: "x", status: 201 }');
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('body-only').addMethod('GET', new apigw.LambdaIntegration(bodyOnly));
  api.root.addResource('empty').addMethod('GET', new apigw.LambdaIntegration(empty));
  api.root.addResource('extra').addMethod('GET', new apigw.LambdaIntegration(extra));
  const http = new apigwv2.HttpApi(stack, 'Http');
  http.addRoutes({
    path: '/v2',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('V2', bodyOnly),
  });
  http.addRoutes({
    path: '/v1',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('V1', bodyOnly, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0,
    }),
  });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-proxy-status', synth);
  restUrl = served.cloud.restApis[0]?.url ?? '';
  httpUrl = served.endpoint('HTTP API');
}, 60_000);

afterAll(async () => {
  await served?.close();
});

describe('a Lambda proxy result without statusCode', () => {
  it('is a 200 with its body through a REST API, as API Gateway treats every proxy field as optional', async () => {
    const response = await fetch(`${restUrl}/body-only`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('is a 200 with an empty body through a REST API when the result is an empty object', async () => {
    const response = await fetch(`${restUrl}/empty`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('is still a malformed proxy response (502) through a REST API when it carries an unknown field', async () => {
    const response = await fetch(`${restUrl}/extra`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  it('is the body itself, serialized, with 200 through an HTTP API with payload 2.0', async () => {
    const response = await fetch(`${httpUrl}/v2`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ body: JSON.stringify({ hello: 'world' }) });
  });

  it('is a 500 through an HTTP API with payload 1.0, which makes no assumption', async () => {
    const response = await fetch(`${httpUrl}/v1`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });
});
