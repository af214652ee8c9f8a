import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APIGatewayClient,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  GetApiKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  NotFoundException,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LOCAL_CREDENTIALS } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * What an operator does to a customer's access at run time, against a small CDK app of our own: a REST API whose
 * method needs an API key and a TOKEN authorizer with a 5-minute result cache, two usage plans, and a key bound
 * to the first. The key is disabled and enabled again (UpdateApiKey), moved from one plan to the other
 * (DeleteUsagePlanKey + CreateUsagePlanKey), and the authorizer's cached results are flushed
 * (FlushStageAuthorizersCache) — each seen through the gateway as a caller would see it.
 */
let served: CloudOnApp;
let control: APIGatewayClient;
const KEY_VALUE = 'lifecycle-key-0123456789abcdef';

function synth(cdkOut: string, work: string): void {
  const code = join(work, 'fn');
  mkdirSync(code, { recursive: true });
  writeFileSync(
    join(code, 'index.js'),
    'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer) });',
  );
  // Each invocation answers its own number, so a cached result is one with an old number.
  writeFileSync(
    join(code, 'authorizer.js'),
    `let invocations = 0;
     exports.handler = async (event) => ({
       principalId: event.authorizationToken,
       context: { invocation: ++invocations },
       policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] },
     });`,
  );
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'KeyLifecycleApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const runtime = lambda.Runtime.NODEJS_24_X;
  const fn = new lambda.Function(stack, 'Fn', {
    runtime,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(code),
  });
  const authorizer = new apigw.TokenAuthorizer(stack, 'Authorizer', {
    handler: new lambda.Function(stack, 'AuthorizerFn', {
      runtime,
      handler: 'authorizer.handler',
      code: lambda.Code.fromAsset(code),
    }),
    resultsCacheTtl: Duration.minutes(5),
  });
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
  api.root.addResource('things').addMethod('GET', new apigw.LambdaIntegration(fn), {
    authorizer,
    apiKeyRequired: true,
  });
  const key = api.addApiKey('Key', { apiKeyName: 'customer-a', value: KEY_VALUE });
  const basic = api.addUsagePlan('Basic', {
    name: 'basic',
    apiStages: [{ api, stage: api.deploymentStage }],
  });
  basic.addApiKey(key);
  api.addUsagePlan('Premium', { name: 'premium', apiStages: [{ api, stage: api.deploymentStage }] });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-apigateway-key-lifecycle', synth);
  control = new APIGatewayClient({
    endpoint: served.endpoint('API Gateway control plane'),
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
}, 60_000);

afterAll(async () => {
  control?.destroy();
  await served?.close();
});

const restApi = () => {
  const found = served.cloud.restApis[0];
  if (!found) throw new Error('no REST API');
  return found;
};

async function call(token = 'caller-1'): Promise<{ status: number; invocation?: string }> {
  const response = await fetch(`${restApi().url}/things`, {
    headers: { 'x-api-key': KEY_VALUE, authorization: token },
  });
  const body = (await response.json()) as { invocation?: unknown };
  return { status: response.status, ...(response.ok ? { invocation: String(body.invocation) } : {}) };
}

async function keyId(): Promise<string> {
  const plans = await control.send(new GetUsagePlansCommand({}));
  for (const plan of plans.items ?? []) {
    const keys = await control.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }));
    const key = keys.items?.find((k) => k.name === 'customer-a');
    if (key?.id) return key.id;
  }
  throw new Error('key customer-a is on no plan');
}

async function planId(name: string): Promise<string> {
  const plans = await control.send(new GetUsagePlansCommand({}));
  const id = plans.items?.find((p) => p.name === name)?.id;
  if (!id) throw new Error(`no plan ${name}`);
  return id;
}

describe('API keys, usage-plan keys and authorizer caches changed at run time', () => {
  it('refuses a disabled key with 403 from the next request, and admits it again once enabled', async () => {
    expect((await call()).status).toBe(200);
    const id = await keyId();
    const disabled = await control.send(
      new UpdateApiKeyCommand({
        apiKey: id,
        patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
      }),
    );
    expect(disabled.enabled).toBe(false);
    expect((await control.send(new GetApiKeyCommand({ apiKey: id }))).enabled).toBe(false);
    expect((await call()).status).toBe(403);
    await control.send(
      new UpdateApiKeyCommand({
        apiKey: id,
        patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }],
      }),
    );
    expect((await call()).status).toBe(200);
  });

  it('refuses an UpdateApiKey operation it does not emulate, naming it, and an unknown key with NotFound', async () => {
    const id = await keyId();
    await expect(
      control.send(
        new UpdateApiKeyCommand({
          apiKey: id,
          patchOperations: [{ op: 'add', path: '/stages', value: 'x/v1' }],
        }),
      ),
    ).rejects.toThrow(/add \/stages is not emulated/);
    await expect(
      control.send(
        new UpdateApiKeyCommand({
          apiKey: 'nokey00000',
          patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('moves a key from one usage plan to another: off every plan it is refused, on the new one admitted', async () => {
    const id = await keyId();
    const [basic, premium] = [await planId('basic'), await planId('premium')];
    await control.send(new DeleteUsagePlanKeyCommand({ usagePlanId: basic, keyId: id }));
    expect((await call()).status).toBe(403);
    await control.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: premium, keyId: id, keyType: 'API_KEY' }),
    );
    expect((await call()).status).toBe(200);
    const onBasic = await control.send(new GetUsagePlanKeysCommand({ usagePlanId: basic }));
    const onPremium = await control.send(new GetUsagePlanKeysCommand({ usagePlanId: premium }));
    expect(onBasic.items?.map((k) => k.id)).not.toContain(id);
    expect(onPremium.items?.map((k) => k.id)).toContain(id);
    await expect(
      control.send(new DeleteUsagePlanKeyCommand({ usagePlanId: basic, keyId: id })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('answers from the authorizer cache until FlushStageAuthorizersCache, then invokes the authorizer again', async () => {
    const first = await call('caller-2');
    const cached = await call('caller-2');
    expect(cached.invocation).toBe(first.invocation);
    await control.send(
      new FlushStageAuthorizersCacheCommand({ restApiId: restApi().restApiId, stageName: 'v1' }),
    );
    const fresh = await call('caller-2');
    expect(fresh.status).toBe(200);
    expect(fresh.invocation).not.toBe(first.invocation);
  });

  it('answers NotFound when flushing the authorizer cache of a stage the API does not have', async () => {
    await expect(
      control.send(
        new FlushStageAuthorizersCacheCommand({ restApiId: restApi().restApiId, stageName: 'nope' }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
