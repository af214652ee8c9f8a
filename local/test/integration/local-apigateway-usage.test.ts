/**
 * The usage records API Gateway keeps per usage plan and key (GetUsage), and the plan reads that find a key's
 * limits (GetUsagePlans by keyId, GetUsagePlan), against the local control plane serving a small CDK app of our
 * own: the counts are the REST API's own metering of the key's requests.
 */
import {
  APIGatewayClient,
  BadRequestException,
  GetUsageCommand,
  GetUsagePlanCommand,
  GetUsagePlansCommand,
  NotFoundException,
  UpdateUsageCommand,
} from '@aws-sdk/client-api-gateway';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { LOCAL_CREDENTIALS } from '../../local-credentials';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

const KEY_VALUE = 'usage-test-key-0123456789';
let served: CloudOnApp | undefined;
let control: APIGatewayClient;
let apiUrl: string;
let planId: string;
let keyId: string;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'UsageApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('ping').addMethod(
    'GET',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [
        { statusCode: '200', responseTemplates: { 'application/json': '{"pong":true}' } },
      ],
    }),
    { apiKeyRequired: true, methodResponses: [{ statusCode: '200' }] },
  );
  const plan = api.addUsagePlan('Plan', {
    name: 'metered',
    throttle: { rateLimit: 1000, burstLimit: 1000 },
    quota: { limit: 50, period: apigw.Period.MONTH },
    apiStages: [{ api, stage: api.deploymentStage }],
  });
  plan.addApiKey(api.addApiKey('Key', { apiKeyName: 'tenant-key', value: KEY_VALUE }));
  api.addUsagePlan('Other', { name: 'unused', apiStages: [{ api, stage: api.deploymentStage }] });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-usage', synth);
  const { cloud } = served;
  apiUrl = cloud.restApis[0]?.url ?? '';
  control = new APIGatewayClient({
    region: 'us-east-1',
    endpoint: served.endpoint('API Gateway control plane'),
    credentials: LOCAL_CREDENTIALS,
  });
  keyId = cloud.model.resources.find((r) => r.type === 'AWS::ApiGateway::ApiKey')?.physicalId ?? '';
  const plans = await control.send(new GetUsagePlansCommand({ keyId }));
  planId = plans.items?.[0]?.id ?? '';
}, 60_000);

afterAll(async () => {
  control?.destroy();
  await served?.close();
});

const today = () => new Date().toISOString().slice(0, 10);

async function usedToday(): Promise<number[] | undefined> {
  const usage = await control.send(
    new GetUsageCommand({ usagePlanId: planId, keyId, startDate: today(), endDate: today() }),
  );
  return usage.items?.[keyId]?.[0];
}

describe('local API Gateway control plane: usage records (real @aws-sdk/client-api-gateway, CDK app)', () => {
  it("finds a key's plan and its limits by keyId", async () => {
    const plans = await control.send(new GetUsagePlansCommand({ keyId }));
    expect(plans.items?.map((plan) => plan.name)).toEqual(['metered']);
    const plan = await control.send(new GetUsagePlanCommand({ usagePlanId: planId }));
    expect(plan.throttle).toEqual({ rateLimit: 1000, burstLimit: 1000 });
    expect(plan.quota).toMatchObject({ limit: 50, period: 'MONTH' });
  });

  it("counts the key's requests: used goes up and remaining down by the number of calls", async () => {
    const before = (await usedToday()) ?? [0, 50];
    for (let call = 0; call < 3; call += 1) {
      const response = await fetch(`${apiUrl}/ping`, { headers: { 'x-api-key': KEY_VALUE } });
      expect(response.status).toBe(200);
    }
    const refused = await fetch(`${apiUrl}/ping`);
    expect(refused.status).toBe(403);
    const after = await usedToday();
    expect(after).toEqual([(before[0] ?? 0) + 3, (before[1] ?? 0) - 3]);
  });

  it('gives one [used, remaining] entry per day of the range, days without requests at zero use', async () => {
    const start = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const usage = await control.send(
      new GetUsageCommand({ usagePlanId: planId, keyId, startDate: start, endDate: today() }),
    );
    const log = usage.items?.[keyId] ?? [];
    expect(log).toHaveLength(3);
    expect(log[log.length - 1]?.[0]).toBeGreaterThan(0);
  });

  it("sets the key's remaining quota with UpdateUsage: GetUsage reports it, and the gateway enforces it", async () => {
    const before = (await usedToday()) ?? [0, 50];
    const updated = await control.send(
      new UpdateUsageCommand({
        usagePlanId: planId,
        keyId,
        patchOperations: [{ op: 'replace', path: '/remaining', value: '2' }],
      }),
    );
    expect(updated.items?.[keyId]).toEqual([[before[0], 2]]);
    // The daily count is not rewritten; only what is left changes.
    expect(await usedToday()).toEqual([before[0], 2]);
    for (let call = 0; call < 2; call += 1) {
      expect((await fetch(`${apiUrl}/ping`, { headers: { 'x-api-key': KEY_VALUE } })).status).toBe(200);
    }
    expect(await usedToday()).toEqual([(before[0] ?? 0) + 2, 0]);
    const exhausted = await fetch(`${apiUrl}/ping`, { headers: { 'x-api-key': KEY_VALUE } });
    expect(exhausted.status).toBe(429);
    // More than the limit is an extension; back to the limit it is as if the period had just started.
    await control.send(
      new UpdateUsageCommand({
        usagePlanId: planId,
        keyId,
        patchOperations: [{ op: 'replace', path: '/remaining', value: '50' }],
      }),
    );
    expect((await usedToday())?.[1]).toBe(50);
    expect((await fetch(`${apiUrl}/ping`, { headers: { 'x-api-key': KEY_VALUE } })).status).toBe(200);
    expect((await usedToday())?.[1]).toBe(49);
  });

  it('refuses UpdateUsage of a key not on the plan (404), another operation or a bad value (400, named)', async () => {
    const plans = await control.send(new GetUsagePlansCommand({}));
    const other = plans.items?.find((plan) => plan.name === 'unused')?.id ?? '';
    const replace = (value: string) => [{ op: 'replace' as const, path: '/remaining', value }];
    await expect(
      control.send(new UpdateUsageCommand({ usagePlanId: other, keyId, patchOperations: replace('5') })),
    ).rejects.toThrow(NotFoundException);
    await expect(
      control.send(
        new UpdateUsageCommand({
          usagePlanId: planId,
          keyId,
          patchOperations: [{ op: 'add', path: '/remaining', value: '5' }],
        }),
      ),
    ).rejects.toThrow(/only replace of \/remaining/);
    await expect(
      control.send(new UpdateUsageCommand({ usagePlanId: planId, keyId, patchOperations: replace('-1') })),
    ).rejects.toThrow(/Invalid value for remaining: -1/);
  });

  it('refuses an unknown plan (NotFoundException) and a malformed date (BadRequestException)', async () => {
    await expect(
      control.send(new GetUsageCommand({ usagePlanId: 'nope', startDate: today(), endDate: today() })),
    ).rejects.toThrow(NotFoundException);
    await expect(
      control.send(new GetUsageCommand({ usagePlanId: planId, startDate: '07/12/2026', endDate: today() })),
    ).rejects.toThrow(BadRequestException);
  });
});
