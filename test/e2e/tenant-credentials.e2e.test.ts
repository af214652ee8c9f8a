import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { catalogItemCodec } from '../../shared/codecs/catalog-item-codec';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { startTenantCredentialsApp, type TenantCredentialsApp } from '../support/tenant-credentials-app';

const A = `ta${'0'.repeat(15)}`;
const B = `tb${'0'.repeat(15)}`;
const ITEM = {
  sku: 'SKU-1',
  name: "B's widget",
  price: 250,
  currency: 'EUR',
  public: false,
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'seed',
};

/**
 * A handler with the bug tenant-scoped credentials exist for — it holds tenant A's session and builds tenant B's
 * keys — running in a small app of our own with the product's TenantDataRole, on the local cloud with IAM enforced
 * (the default). The refusal comes from IAM (the local DynamoDB and S3), not from the product's code.
 */
describe('tenant-scoped credentials, on the local cloud with IAM enforced', () => {
  let app: TenantCredentialsApp;
  let admin: DynamoDBDocumentClient;
  beforeAll(async () => {
    app = await startTenantCredentialsApp(join(__dirname, 'fixtures', 'cross-tenant-handler.ts'));
    const endpoint = app.cloud.endpoints.find((e) => e.kind === 'DynamoDB')?.url;
    admin = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: app.cloud.model.region, endpoint, credentials: LOCAL_CREDENTIALS }),
    );
    // Tenant B has a catalog item and a profile: a refusal below is not a miss.
    await admin.send(new PutCommand({ TableName: app.tableName, Item: catalogItemCodec.toItem(B, ITEM) }));
    await admin.send(
      new PutCommand({ TableName: app.tableName, Item: { ...tenantKeys.profile(A), status: 'SUSPENDED' } }),
    );
  }, 240_000);
  afterAll(async () => {
    admin?.destroy();
    await app?.close();
  });

  const call = async (query: Record<string, string>) => {
    const response = await fetch(`${app.url}?${new URLSearchParams(query)}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { ok: boolean; name?: string; message?: string; result?: unknown };
  };

  it("lets tenant A's session write and read tenant A's catalog", async () => {
    expect(await call({ action: 'put', caller: A, target: A })).toEqual({
      ok: true,
      result: { created: true },
    });
    expect(await call({ action: 'get', caller: A, target: A })).toMatchObject({
      ok: true,
      result: { sku: 'SKU-1', name: 'Widget' },
    });
  });

  it("refuses tenant A's session a GetItem of tenant B's catalog item, with IAM's AccessDeniedException", async () => {
    const outcome = await call({ action: 'get', caller: A, target: B });

    expect(outcome).toMatchObject({ ok: false, name: 'AccessDeniedException' });
    expect(outcome.message).toMatch(
      /^User: arn:aws:sts::\d+:assumed-role\/[^/]+\/tenant-ta0{15} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:/,
    );
  });

  it("refuses tenant A's session a Query of tenant B's catalog partition", async () => {
    expect(await call({ action: 'list', caller: A, target: B })).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
      message: expect.stringContaining('dynamodb:Query'),
    });
  });

  it("refuses tenant A's session a PutItem into tenant B's catalog, and B's item stays as it was", async () => {
    expect(await call({ action: 'put', caller: A, target: B })).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
      message: expect.stringContaining('dynamodb:PutItem'),
    });
    const { Item } = await admin.send(
      new GetCommand({ TableName: app.tableName, Key: { PK: `TENANT#${B}#CATALOG`, SK: 'SKU#SKU-1' } }),
    );
    expect(Item?.name).toBe("B's widget");
  });

  it("refuses tenant A's session a file under tenant B's prefix, with S3's AccessDenied", async () => {
    expect(await call({ action: 'file', caller: A, target: A })).toMatchObject({ ok: true });
    expect(await call({ action: 'file', caller: A, target: B })).toMatchObject({
      ok: false,
      name: 'AccessDenied',
    });
  });

  it("refuses tenant A's session a write to its own profile (the operators' record), by the role's explicit deny", async () => {
    expect(await call({ action: 'profile', caller: A, target: A })).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
      message: expect.stringContaining('explicit deny'),
    });
    const { Item } = await admin.send(
      new GetCommand({ TableName: app.tableName, Key: tenantKeys.profile(A) }),
    );
    expect(Item?.status).toBe('SUSPENDED');
  });

  it("lets tenant A's session delete its own connection only: not tenant B's, nor any other item of its own", async () => {
    expect(await call({ action: 'disconnect', caller: A, target: A })).toMatchObject({ ok: true });
    expect(await call({ action: 'disconnect', caller: A, target: B })).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
      message: expect.stringContaining('dynamodb:DeleteItem'),
    });
    expect(await call({ action: 'delete-catalog', caller: A, target: A })).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
      message: expect.stringContaining('dynamodb:DeleteItem'),
    });
  });
});
