import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import { ApiKeyStore } from '../../api-keys/api-key-store';
import {
  type ApiGatewayControlServer,
  createApiGatewayControlServer,
} from '../../apigateway-control/control-server';
import type { LocalCloudModel, LocalResource } from '../../model';

const resource = (
  logicalId: string,
  type: string,
  physicalId: string,
  properties: Record<string, unknown>,
): LocalResource => ({
  stackName: 'Control',
  logicalId,
  type,
  physicalId,
  properties,
  attributes: {},
});

const model: LocalCloudModel = {
  region: 'eu-west-1',
  accountId: '123456789012',
  resources: [
    resource('Plan', 'AWS::ApiGateway::UsagePlan', 'plan01', {
      UsagePlanName: 'basic',
      ApiStages: [{ ApiId: 'api0000001', Stage: 'prod' }],
      Throttle: { RateLimit: 10, BurstLimit: 5 },
    }),
    resource('SeedKey', 'AWS::ApiGateway::ApiKey', 'seedkey001', {
      Name: 'seed',
      Enabled: true,
      Value: 'seed-value-0123456789',
    }),
    resource('SeedBinding', 'AWS::ApiGateway::UsagePlanKey', 'binding001', {
      UsagePlanId: 'plan01',
      KeyId: 'seedkey001',
      KeyType: 'API_KEY',
    }),
  ],
};

let store: ApiKeyStore;
let server: ApiGatewayControlServer;
let client: APIGatewayClient;

beforeAll(async () => {
  store = ApiKeyStore.fromModel(model);
  server = createApiGatewayControlServer({ apiKeys: store, log: () => undefined });
  const endpoint = await server.listen();
  client = new APIGatewayClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

describe('local API Gateway control plane (real @aws-sdk/client-api-gateway)', () => {
  it('creates an API key with a generated value and returns it once', async () => {
    const created = await client.send(new CreateApiKeyCommand({ name: 'tenant-a', enabled: true }));
    expect(created.id).toMatch(/^[a-z0-9]{10}$/);
    expect(created.value).toHaveLength(40);
    expect(created.enabled).toBe(true);
    expect(created.createdDate).toBeInstanceOf(Date);
    const fetched = await client.send(new GetApiKeyCommand({ apiKey: created.id }));
    expect(fetched.value).toBeUndefined();
    const withValue = await client.send(new GetApiKeyCommand({ apiKey: created.id, includeValue: true }));
    expect(withValue.value).toBe(created.value);
  });

  it('lists keys by name prefix, with values only when includeValues is set', async () => {
    await client.send(
      new CreateApiKeyCommand({ name: 'listing-one', enabled: true, value: 'listing-value-0123456789' }),
    );
    const hidden = await client.send(new GetApiKeysCommand({ nameQuery: 'listing-' }));
    expect(hidden.items?.map((k) => k.name)).toEqual(['listing-one']);
    expect(hidden.items?.[0]?.value).toBeUndefined();
    const shown = await client.send(new GetApiKeysCommand({ nameQuery: 'listing-', includeValues: true }));
    expect(shown.items?.[0]?.value).toBe('listing-value-0123456789');
  });

  it('binds a key to a template usage plan and rejects binding it twice with ConflictException', async () => {
    const key = await client.send(new CreateApiKeyCommand({ name: 'bound', enabled: true }));
    const binding = await client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: 'plan01', keyId: key.id, keyType: 'API_KEY' }),
    );
    expect(binding).toMatchObject({ id: key.id, type: 'API_KEY', name: 'bound' });
    await expect(
      client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: 'plan01', keyId: key.id, keyType: 'API_KEY' }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
    const keys = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: 'plan01' }));
    expect(keys.items?.map((k) => k.name).sort()).toEqual(['bound', 'seed']);
  });

  it('makes a key created at run time usable by the REST emulator at once (shared store)', async () => {
    const key = await client.send(new CreateApiKeyCommand({ name: 'live', enabled: true }));
    expect(store.authorize(key.value, 'api0000001', ['prod'])).toBeUndefined();
    await client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: 'plan01', keyId: key.id, keyType: 'API_KEY' }),
    );
    expect(store.authorize(key.value, 'api0000001', ['prod'])?.plan.id).toBe('plan01');
  });

  it('answers NotFoundException for an unknown usage plan and a deleted key', async () => {
    await expect(
      client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: 'nope', keyId: 'seedkey001', keyType: 'API_KEY' }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
    const key = await client.send(new CreateApiKeyCommand({ name: 'doomed', enabled: true }));
    await client.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    await expect(client.send(new GetApiKeyCommand({ apiKey: key.id }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });
});
