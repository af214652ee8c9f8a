import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * The REST API's non-proxy ("custom") Lambda integration, in a small CDK app of our own: `LambdaIntegration`
 * with `proxy: false`, request and response mapping templates, integration responses picked by a
 * `selectionPattern` on the function's error message, and an asynchronous invocation through the
 * `X-Amz-Invocation-Type: 'Event'` header mapping answering 202.
 */
let served: CloudOnApp | undefined;
let url = '';
const events: Array<{ readonly arn: string; readonly event: unknown }> = [];

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'CustomLambdaApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const greet = new lambda.Function(stack, 'Greet', {
    functionName: 'custom-greet',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async (event) => {
      if (event.name === 'nobody') throw new Error('NotFound: no one is called ' + event.name);
      if (event.name === 'crash') throw new Error('something else broke');
      return { greeting: 'hello ' + event.name, stage: event.stage };
    };`),
  });
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('greet').addMethod(
    'POST',
    new apigw.LambdaIntegration(greet, {
      proxy: false,
      passthroughBehavior: apigw.PassthroughBehavior.NEVER,
      requestTemplates: {
        'application/json': `{"name": "$util.escapeJavaScript($input.path('$.who'))", "stage": "$context.stage"}`,
      },
      integrationResponses: [
        {
          statusCode: '200',
          responseTemplates: {
            'application/json': `{"message": "$input.path('$.greeting')", "stage": "$input.path('$.stage')"}`,
          },
        },
        {
          statusCode: '404',
          selectionPattern: 'NotFound:.*',
          responseTemplates: { 'application/json': `{"error": "$input.path('$.errorMessage')"}` },
        },
      ],
    }),
    { methodResponses: [{ statusCode: '200' }, { statusCode: '404' }] },
  );
  api.root.addResource('later').addMethod(
    'POST',
    new apigw.LambdaIntegration(greet, {
      proxy: false,
      requestParameters: { 'integration.request.header.X-Amz-Invocation-Type': "'Event'" },
      requestTemplates: { 'application/json': `{"name": "$input.path('$.who')"}` },
      integrationResponses: [
        { statusCode: '202', responseTemplates: { 'application/json': '{"accepted": true}' } },
      ],
    }),
    { methodResponses: [{ statusCode: '202' }] },
  );
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-custom-lambda', synth, {
    onEvent: (arn, event) => events.push({ arn, event }),
  });
  url = served.cloud.restApis[0]?.url ?? '';
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('a REST AWS integration with Lambda (non-proxy)', () => {
  it('invokes the function with the rendered request template and maps its result through the response template', async () => {
    const response = await post('/greet', { who: 'ada' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'hello ada', stage: 'prod' });
    expect(events.at(-1)?.event).toEqual({ name: 'ada', stage: 'prod' });
  });

  it('selects the integration response whose selectionPattern matches the error message', async () => {
    const response = await post('/greet', { who: 'nobody' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'NotFound: no one is called nobody' });
  });

  it('falls back to the default integration response for an error no pattern matches, as API Gateway does', async () => {
    const response = await post('/greet', { who: 'crash' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: '', stage: '' });
  });

  it('refuses a content type with no template under PassthroughBehavior NEVER (415) without invoking', async () => {
    const before = events.length;
    const response = await fetch(`${url}/greet`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(response.status).toBe(415);
    expect(events.length).toBe(before);
  });

  it("invokes asynchronously with X-Amz-Invocation-Type 'Event' and answers the 202 integration response", async () => {
    const response = await post('/later', { who: 'grace' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    // The invocation was handed over before the gateway answered.
    expect(
      events.some(
        ({ arn, event }) => arn.endsWith(':custom-greet') && (event as { name?: string }).name === 'grace',
      ),
    ).toBe(true);
  });
});
