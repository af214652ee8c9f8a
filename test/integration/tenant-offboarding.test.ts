import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createOffboardingJob } from '../../services/offboarding/offboarding-job';
import { createOrdersRepository } from '../../services/orders/orders-repository';
import { createPartnerClientsService } from '../../services/partner-clients/partner-clients-service';
import { createApiKeys } from '../../services/tenants/api-keys';
import { readTenantsConfig } from '../../services/tenants/config';
import { createTenantsHandler } from '../../services/tenants/handler';
import { connectionCodec } from '../../shared/codecs/connection-codec';
import { documentClient } from '../../shared/dynamo';
import { secretId, sortableId } from '../../shared/ids';
import { lambdaContext, type RestRequest, restEvent } from '../support/api-events';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type JobsQueues, startJobsQueues } from '../support/jobs-fixtures';
import { type LocalControlPlanes, startLocalControlPlanes } from '../support/local-control-planes';
import { OrdersTableProbe } from '../support/orders-fixtures';
import { type FilesEngine, startFilesBucket } from '../support/s3-engine';
import { TEST_ENV } from '../support/test-env';

jest.setTimeout(60_000);

// Offboarding against the local cloud's engines: DynamoDB (behind its front), S3, Cognito, the API Gateway control
// plane and SQS. A fault the engines cannot produce (the job killed half-way) is injected by wrapping a client.
let engine: DynamoEngine;
let planes: LocalControlPlanes;
let files: FilesEngine;
let queues: JobsQueues;
let handler: ReturnType<typeof createTenantsHandler>;
/**
 * The `@connections` endpoint the suspension closes connections through. The stored connection of these tests has
 * no socket behind it, so the endpoint answers as API Gateway does for a connection already gone (410); closing
 * live sockets is the e2e suite's (test/e2e/tenant-suspension.e2e.test.ts).
 */
let goneConnections: Server;
const closedConnections: string[] = [];
const idp = () => new CognitoIdentityProviderClient({});

beforeAll(async () => {
  engine = await startDynamo();
  planes = await startLocalControlPlanes({
    userPoolId: TEST_ENV.USER_POOL_ID,
    usagePlans: [
      { id: 'plan-basic', name: TEST_ENV.BASIC_USAGE_PLAN_NAME },
      { id: 'plan-premium', name: TEST_ENV.PREMIUM_USAGE_PLAN_NAME },
    ],
    restStage: { restApiId: TEST_ENV.REST_API_ID, stageName: TEST_ENV.STAGE_NAME },
  });
  files = await startFilesBucket();
  queues = await startJobsQueues(async () => ({ batchItemFailures: [] }));
  goneConnections = createServer((request, response) => {
    closedConnections.push(`${request.method} ${request.url}`);
    response.writeHead(410, { 'x-amzn-ErrorType': 'GoneException', 'content-type': 'application/json' });
    response.end('{"message":null}');
  });
  await new Promise<void>((resolve) => goneConnections.listen(0, '127.0.0.1', resolve));
  const { port } = goneConnections.address() as AddressInfo;
  handler = createTenantsHandler(
    readTenantsConfig({
      ...TEST_ENV,
      OFFBOARDING_QUEUE_URL: queues.inboxUrl,
      CALLBACK_URL: `http://127.0.0.1:${port}/test`,
    }),
  );
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => goneConnections?.close(resolve));
  await queues?.stop();
  await files?.stop();
  await planes?.stop();
  await engine?.stop();
});

async function call(request: RestRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const event = restEvent(request);
  const signed: APIGatewayProxyEvent = {
    ...event,
    requestContext: {
      ...event.requestContext,
      identity: {
        ...event.requestContext.identity,
        userArn: 'arn:aws:sts::123456789012:assumed-role/Ops/alice',
      },
    },
  };
  const result = (await handler(signed, lambdaContext())) as APIGatewayProxyResult;
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : {} };
}

function job(documents: DynamoDBDocumentClient = documentClient) {
  return createOffboardingJob({
    tableName: TEST_ENV.TABLE_NAME,
    bucket: TEST_ENV.FILES_BUCKET_NAME,
    userPoolId: TEST_ENV.USER_POOL_ID,
    exportKeptDays: 7,
    documents,
    s3: new S3Client({}),
    idp: idp(),
    deleteApiKey: createApiKeys({
      basic: TEST_ENV.BASIC_USAGE_PLAN_NAME,
      premium: TEST_ENV.PREMIUM_USAGE_PLAN_NAME,
    }).deleteApiKey,
  });
}

let counter = 0;
/** A tenant as it lives: onboarded, with orders (and their tracking pointers), an event, a catalog, a connection, a partner client. */
async function livingTenant(orders = 3) {
  counter += 1;
  const created = await call({
    method: 'POST',
    resource: '/tenants',
    body: {
      name: `Leaving ${counter} ${Date.now()}`,
      tier: 'basic',
      adminEmail: `leaving${counter}.${Date.now()}@example.com`,
    },
  });
  expect(created.status).toBe(201);
  const tenantId = String(created.body.tenantId);
  const repository = createOrdersRepository(TEST_ENV.TABLE_NAME);
  const now = new Date().toISOString();
  const orderIds: string[] = [];
  for (let i = 0; i < orders; i++) {
    const orderId = sortableId();
    orderIds.push(orderId);
    await repository.putNewOrder(tenantId, {
      orderId,
      status: 'pending',
      items: [{ sku: 'A-1', name: 'Widget', quantity: 1, unitPrice: 100, lineTotal: 100 }],
      currency: 'EUR',
      total: 100,
      version: 1,
      trackingId: secretId(),
      createdAt: now,
      updatedAt: now,
      createdBy: 'user-1',
    });
  }
  await new OrdersTableProbe(engine.client).seedCatalog(tenantId, [
    { sku: 'A-1', name: 'Widget', price: 100, currency: 'EUR' },
  ]);
  await documentClient.send(
    new PutCommand({
      TableName: TEST_ENV.TABLE_NAME,
      Item: connectionCodec.toItem({
        tenantId,
        userId: 'user-1',
        connectionId: `conn-${tenantId}`,
        connectedAt: now,
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      }),
    }),
  );
  const partner = await createPartnerClientsService(
    {
      idp: idp(),
      documents: documentClient,
      userPoolId: TEST_ENV.USER_POOL_ID,
      tableName: TEST_ENV.TABLE_NAME,
    },
    TEST_ENV.TOKEN_URL,
  ).create({ tenantId, userId: 'admin-1', role: 'admin', groups: ['admin'] }, { name: 'carrier' });
  await new S3Client({}).send(
    new PutObjectCommand({
      Bucket: TEST_ENV.FILES_BUCKET_NAME,
      Key: `tenants/${tenantId}/reports/${sortableId()}.csv`,
      Body: 'day,orders\n',
    }),
  );
  return { tenantId, apiKeyId: String(created.body.apiKeyId), orderIds, clientId: String(partner.clientId) };
}

/** Every item of the whole table that names the tenant anywhere (key or attribute), but its slug claim and tombstone. */
async function leftOf(tenantId: string): Promise<Array<Record<string, unknown>>> {
  const raw = new DynamoDBClient({});
  const left: Array<Record<string, unknown>> = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await raw.send(
      new ScanCommand({ TableName: TEST_ENV.TABLE_NAME, ExclusiveStartKey: start }),
    );
    for (const item of (page.Items ?? []).map((i) => unmarshall(i))) {
      const pk = String(item.PK);
      if (pk.startsWith('TENANTSLUG#') || pk === `TENANTOFFBOARDING#${tenantId}`) continue;
      if (JSON.stringify(item).includes(tenantId)) left.push(item);
    }
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return left;
}

const deleteTenant = (tenantId: string) =>
  call({ method: 'DELETE', resource: '/tenants/{tenantId}', pathParameters: { tenantId } });
const getTenant = (tenantId: string) =>
  call({ method: 'GET', resource: '/tenants/{tenantId}', pathParameters: { tenantId } });

describe('DELETE /tenants/{tenantId}: offboarding with export and erasure', () => {
  it('answers 202, suspends the tenant at once and queues the job; a second request is a 409 with the status', async () => {
    const { tenantId, apiKeyId } = await livingTenant(1);
    const accepted = await deleteTenant(tenantId);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      tenantId,
      status: 'OFFBOARDING',
      offboarding: { status: 'OFFBOARDING', steps: [] },
    });
    expect(planes.apiKeys.getApiKey(apiKeyId)?.enabled).toBe(false);
    expect(closedConnections).toContain(`DELETE /test/@connections/conn-${tenantId}`);
    expect(await queues.drain(queues.inboxUrl)).toEqual([JSON.stringify({ tenantId })]);
    const twice = await deleteTenant(tenantId);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ status: 'OFFBOARDING' });
    // The second request queues the job again, so a lost job is resumed by asking again.
    expect(await queues.drain(queues.inboxUrl)).toEqual([JSON.stringify({ tenantId })]);
  });

  it('exports every item to NDJSON under the tenant’s prefix, then erases everything of the tenant, leaving a tombstone', async () => {
    const { tenantId, apiKeyId, orderIds, clientId } = await livingTenant(3);
    expect((await deleteTenant(tenantId)).status).toBe(202);
    await queues.drain(queues.inboxUrl);
    const tombstone = await job().run(tenantId);
    expect(tombstone).toMatchObject({ status: 'OFFBOARDED', steps: ['exported', 'erased'] });

    const key = `tenants/${tenantId}/exports/offboarding.ndjson`;
    expect(tombstone.export).toMatchObject({ bucket: TEST_ENV.FILES_BUCKET_NAME, key });
    const object = await new S3Client({}).send(
      new GetObjectCommand({ Bucket: TEST_ENV.FILES_BUCKET_NAME, Key: key }),
    );
    expect(object.ContentType).toBe('application/x-ndjson');
    const lines =
      (await object.Body?.transformToString())
        ?.trim()
        .split('\n')
        .map((l) => JSON.parse(l)) ?? [];
    const items = lines.filter((l) => l.kind === 'item').map((l) => l.item as Record<string, unknown>);
    for (const orderId of orderIds)
      expect(items.some((i) => i.orderId === orderId && i.SK === `ORDER#${orderId}`)).toBe(true);
    expect(items.filter((i) => String(i.PK).startsWith('TRACKING#'))).toHaveLength(3);
    expect(items.some((i) => i.PK === `PARTNERCLIENT#${clientId}`)).toBe(true);
    expect(items.some((i) => i.SK === 'PROFILE')).toBe(true);
    expect(lines.filter((l) => l.kind === 'user')).toHaveLength(1);
    expect(tombstone.export?.itemCount).toBe(lines.length);

    expect(await leftOf(tenantId)).toEqual([]);
    const inBucket = await new S3Client({}).send(
      new ListObjectsV2Command({ Bucket: TEST_ENV.FILES_BUCKET_NAME, Prefix: `tenants/${tenantId}/` }),
    );
    expect((inBucket.Contents ?? []).map((o) => o.Key)).toEqual([key]);
    expect(tombstone.erased).toMatchObject({ files: 1, partnerClients: 1, users: 1, apiKey: true });
    expect(planes.apiKeys.getApiKey(apiKeyId)).toBeUndefined();
    expect(planes.userPool.listUsers().filter((u) => u.attributes['custom:tenantId'] === tenantId)).toEqual(
      [],
    );

    const shown = await getTenant(tenantId);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      tenantId,
      status: 'OFFBOARDED',
      offboarding: { requestedBy: 'arn:aws:sts::123456789012:assumed-role/Ops/alice' },
    });
    const download = (shown.body.offboarding as { download: { url: string } }).download.url;
    const fetched = await fetch(download);
    expect(fetched.status).toBe(200);
    expect((await fetched.text()).trim().split('\n')).toHaveLength(lines.length);
    const listed = await call({
      method: 'GET',
      resource: '/tenants',
      query: { status: 'OFFBOARDED', limit: '100' },
    });
    expect((listed.body.items as Array<Record<string, unknown>>).map((t) => t.tenantId)).toContain(tenantId);
    expect((await deleteTenant(tenantId)).status).toBe(409);
  });

  it('completes when killed half-way through erasure and run again, with the export written once, before erasure', async () => {
    const { tenantId } = await livingTenant(4);
    expect((await deleteTenant(tenantId)).status).toBe(202);
    await queues.drain(queues.inboxUrl);
    // The job dies after its fifth deletion (a crash no engine can be made to have).
    let deletions = 0;
    const dying = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const send = dying.send.bind(dying);
    dying.send = (async (command: unknown) => {
      if (command instanceof DeleteCommand && ++deletions > 5) throw new Error('killed');
      return send(command as never);
    }) as typeof dying.send;
    await expect(job(dying).run(tenantId)).rejects.toThrow('killed');
    expect((await leftOf(tenantId)).length).toBeGreaterThan(0);
    expect((await getTenant(tenantId)).body).toMatchObject({ offboarding: { steps: ['exported'] } });

    const tombstone = await job().run(tenantId);
    expect(tombstone.status).toBe('OFFBOARDED');
    expect(await leftOf(tenantId)).toEqual([]);
    // The export is the one written before erasure began: every order is in it.
    const object = await new S3Client({}).send(
      new GetObjectCommand({
        Bucket: TEST_ENV.FILES_BUCKET_NAME,
        Key: `tenants/${tenantId}/exports/offboarding.ndjson`,
      }),
    );
    const text = (await object.Body?.transformToString()) ?? '';
    expect(text.match(/"SK":"ORDER#/g)).toHaveLength(4);
  });

  it('answers 404 for an unknown tenant', async () => {
    expect((await deleteTenant(`t${'a'.repeat(16)}`)).status).toBe(404);
  });
});
