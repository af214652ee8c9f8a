/**
 * The limits API Gateway and Lambda enforce, as the local cloud answers them: a REST payload over 10 MB, a
 * Lambda event or result over 6 MB, an integration that outlives its timeout — for the REST API and the
 * HTTP API, each with the status and body AWS gives (see README "Limits").
 */
import { request } from 'node:http';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

const MB = 1024 * 1024;
let served: CloudOnApp | undefined;
let cloud: LocalCloud;
let restUrl: string;
let httpUrl: string;
const logLines: string[] = [];

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'LimitsApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const fn = (id: string, body: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(`exports.handler = async (event) => { ${body} };`),
      timeout: Duration.seconds(10),
    });
  const echo = fn('Echo', 'return { statusCode: 200, body: String((event.body || "").length) };');
  const huge = fn('Huge', 'return { statusCode: 200, body: "x".repeat(7 * 1024 * 1024) };');
  const slow = fn(
    'Slow',
    'await new Promise((r) => setTimeout(r, 3000)); return { statusCode: 200, body: "late" };',
  );
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('echo').addMethod('POST', new apigw.LambdaIntegration(echo));
  api.root.addResource('huge').addMethod('GET', new apigw.LambdaIntegration(huge));
  api.root
    .addResource('slow')
    .addMethod('GET', new apigw.LambdaIntegration(slow, { timeout: Duration.millis(200) }));
  const http = new apigwv2.HttpApi(stack, 'Http');
  http.addRoutes({
    path: '/echo',
    methods: [apigwv2.HttpMethod.POST],
    integration: new HttpLambdaIntegration('E', echo),
  });
  http.addRoutes({
    path: '/huge',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('H', huge),
  });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-limits', synth, {
    log: { write: (text: string) => logLines.push(text) },
  });
  cloud = served.cloud;
  restUrl = cloud.restApis[0]?.url ?? '';
  httpUrl = served.endpoint('HTTP API');
}, 60_000);

afterAll(async () => {
  await served?.close();
});

async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** Streams `size` bytes without a Content-Length (chunked), so only counting can tell the size. */
function postChunked(url: string, size: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(MB, 'a');
    for (let sent = 0; sent < size; sent += MB) req.write(chunk);
    req.end();
  });
}

describe('REST API limits', () => {
  it('refuses a payload over 10 MB with 413 and AWS plain-text message, without invoking the function', async () => {
    const before = logLines.join('').match(/START RequestId/g)?.length ?? 0;
    const reply = await call(`${restUrl}/echo`, { method: 'POST', body: 'a'.repeat(10 * MB + 1) });
    expect(reply).toMatchObject({ status: 413, text: 'HTTP content length exceeded 10485760 bytes.' });
    expect(reply.type).toMatch(/^text\/plain/);
    expect(logLines.join('').match(/START RequestId/g)?.length ?? 0).toBe(before);
  });

  it('counts a chunked body too and refuses it once it crosses 10 MB', async () => {
    const reply = await postChunked(`${restUrl}/echo`, 11 * MB);
    expect(reply).toEqual({ status: 413, text: 'HTTP content length exceeded 10485760 bytes.' });
  });

  it('answers 413 Request Too Long when the Lambda event would exceed 6 MB (a 7 MB body)', async () => {
    const reply = await call(`${restUrl}/echo`, { method: 'POST', body: 'a'.repeat(7 * MB) });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Request Too Long' });
  });

  it('still passes a 5 MB body through', async () => {
    const reply = await call(`${restUrl}/echo`, { method: 'POST', body: 'a'.repeat(5 * MB) });
    expect(reply).toMatchObject({ status: 200, text: String(5 * MB) });
  });

  it('answers 502 Internal server error when the function returns more than 6 MB', async () => {
    const reply = await call(`${restUrl}/huge`);
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Internal server error' });
    expect(logLines.join('')).toContain('Function.ResponseSizeTooLarge');
  });

  it('answers 504 Endpoint request timed out once the template integration timeout passes', async () => {
    const reply = await call(`${restUrl}/slow`);
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Endpoint request timed out' });
  });
});

describe('HTTP API limits', () => {
  it('answers 413 when the Lambda event would exceed 6 MB', async () => {
    const reply = await call(`${httpUrl}/echo`, { method: 'POST', body: 'a'.repeat(7 * MB) });
    expect(reply.status).toBe(413);
  });

  it('answers 500 Internal Server Error when the function returns more than 6 MB', async () => {
    const reply = await call(`${httpUrl}/huge`);
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Internal Server Error' });
  });
});
