import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { LocalCloud } from '../../local-cloud';
import type { LocalService, StartContext } from '../../local-service';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

let served: CloudOnApp | undefined;
let cloud: LocalCloud | undefined;
const closed: Array<{ name: string; dynamoDbStillUp: boolean }> = [];
const started: Array<{ name: string; context: StartContext }> = [];

/**
 * A test-only emulated service, shaped like an event-source poller: it declares a resource type, exports an
 * endpoint variable to functions, reports its endpoint, and can invoke functions through the context.
 */
function fakeService(name: string, declares: string): LocalService {
  return {
    name,
    resourceTypes: { emulated: [declares] },
    async bind() {
      const url = `http://127.0.0.1:1/${name}`;
      let dynamoDb = '';
      return {
        functionEnv: { [`AWS_ENDPOINT_URL_${name.toUpperCase()}`]: url },
        async start(context) {
          started.push({ name, context });
          dynamoDb = context.functionEnv.AWS_ENDPOINT_URL_DYNAMODB ?? '';
          return { endpoints: [{ kind: 'Fake', name, url }] };
        },
        async close() {
          // Built-in services were bound first, so they must still answer when this one closes.
          const dynamoDbStillUp = await fetch(dynamoDb).then(
            () => true,
            () => false,
          );
          closed.push({ name, dynamoDbStillUp });
        },
      };
    },
  };
}

/** A function behind a REST API that answers with the fake services' endpoint variables; plus two extra types. */
function synth(cdkOut: string, work: string): void {
  const code = join(work, 'code');
  mkdirSync(code, { recursive: true });
  writeFileSync(
    join(code, 'index.js'),
    `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({
       first: process.env.AWS_ENDPOINT_URL_FIRST, second: process.env.AWS_ENDPOINT_URL_SECOND,
       dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB, event: event.source ?? null }) });`,
  );
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'SeamApp');
  const fn = new lambda.Function(stack, 'Fn', {
    functionName: 'seam-fn',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(code),
  });
  new apigw.LambdaRestApi(stack, 'Api', { handler: fn, proxy: false }).root.addMethod('GET');
  new CfnResource(stack, 'Declared', { type: 'Test::Fake::Thing' });
  new CfnResource(stack, 'Unknown', { type: 'Test::Nobody::Knows' });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-services', synth, {
    extraServices: [fakeService('first', 'Test::Fake::Thing'), fakeService('second', 'Test::Fake::Other')],
  });
  cloud = served.cloud;
}, 60_000);

afterAll(async () => {
  await served?.close();
});

const running = (): LocalCloud => {
  if (!cloud) throw new Error('the local cloud did not start');
  return cloud;
};

describe('composing the local cloud from services', () => {
  it("gives every function the environment each service exports, the built-in ones' included", async () => {
    const api = running().restApis[0];
    const body = await (await fetch(`${api?.url}/`)).json();

    expect(body).toMatchObject({
      first: 'http://127.0.0.1:1/first',
      second: 'http://127.0.0.1:1/second',
      dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
  });

  it("reports every service's endpoints, each API with its kind and the URL it listens on", async () => {
    const { endpoints } = running();
    const kinds = endpoints.map((endpoint) => endpoint.kind);

    expect(kinds).toEqual(
      expect.arrayContaining(['DynamoDB', 'Cognito', 'token admin', 'API Gateway control plane', 'REST API']),
    );
    expect(endpoints.filter((endpoint) => endpoint.kind === 'Fake').map((endpoint) => endpoint.name)).toEqual(
      ['first', 'second'],
    );
    const rest = endpoints.find((endpoint) => endpoint.kind === 'REST API');
    expect(rest).toMatchObject({
      name: expect.stringMatching(/^SeamApp\/Api/),
      url: expect.stringMatching(/\/prod$/),
    });
    // The API listens where the template's own URL (CDK's `Endpoint` output) says it does.
    const outputs = Object.values(running().model.outputs?.SeamApp ?? {});
    expect(outputs).toContain(`${rest?.url}/`);
    expect((await fetch(`${rest?.url}/`)).status).toBe(200);
  });

  it('hands services the resolved template and an invoker that runs the functions', async () => {
    const context = started.find((entry) => entry.name === 'first')?.context;
    if (!context) throw new Error('the fake service did not start');

    expect(context.model.resources.some((resource) => resource.type === 'Test::Fake::Thing')).toBe(true);
    const result = (await context.invoker.invoke('seam-fn', { source: 'fake-poller' })) as { body: string };
    expect(JSON.parse(result.body)).toMatchObject({ event: 'fake-poller' });
  });

  it('lists as not emulated exactly the types no service declares', () => {
    const types = running().notEmulated.map((entry) => entry.type);

    expect(running().notEmulated).toContainEqual({
      type: 'Test::Nobody::Knows',
      logicalIds: ['SeamApp/Unknown'],
      reason: undefined,
    });
    expect(types).not.toContain('Test::Fake::Thing');
    expect(types).not.toContain('AWS::Lambda::Function');
    // IAM is enforced by default: roles are served (by the IAM service), not listed.
    expect(types).not.toContain('AWS::IAM::Role');
  });

  it('closes the services in reverse order', async () => {
    const { endpoints } = running();
    await running().close();
    cloud = undefined;

    expect(closed).toEqual([
      { name: 'second', dynamoDbStillUp: true },
      { name: 'first', dynamoDbStillUp: true },
    ]);
    const dynamoDb = endpoints.find((endpoint) => endpoint.kind === 'DynamoDB')?.url ?? '';
    await expect(fetch(dynamoDb)).rejects.toThrow();
  });
});
