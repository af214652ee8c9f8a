/**
 * End to end: tenant files on the local cloud — an NDJSON upload through the pre-signed POST the jobs API signs,
 * S3's notification on the jobs queue starting the import in the bundled worker, a report downloaded through the
 * 303 to a pre-signed GET, an invoice as application/pdf through the REST API's binary media types, and S3's
 * refusals (an expired link, a file over 100 MB).
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { orderKeys } from '../../shared/keys/order-keys';
import { ACME, type ApiReply, callApi, type E2eCloud, GLOBEX, startE2eCloud } from '../support/e2e-cloud';
import { postForm, postOversizeForm } from '../support/s3-engine';

// 10,000 orders through the bundled worker on dynalite take a while on a loaded 2-core machine.
jest.setTimeout(600_000);

let e2e: E2eCloud;

beforeAll(async () => {
  e2e = await startE2eCloud();
}, 600_000);

afterAll(async () => {
  await e2e?.close();
});

function api(method: string, path: string, token: string, body?: unknown): Promise<ApiReply> {
  return callApi(`${e2e.apiUrl}${path}`, method, { authorization: `Bearer ${token}`, body });
}

async function pollUntilFinished(
  jobId: string,
  token: string,
  ms = 580_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { body: job } = await api('GET', `/jobs/${jobId}`, token);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${String(job.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const tenantOf = (token: string): string =>
  String(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())['custom:tenantId']);

function endpoint(kind: string): string {
  const found = e2e.cloud.endpoints.find((e) => e.kind === kind);
  if (!found) throw new Error(`no ${kind} endpoint`);
  return found.url;
}

/** The tenant's stored orders, counted in the table (a listing would take a hundred pages). */
async function orderCount(tenantId: string): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: endpoint('DynamoDB'),
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const table = e2e.cloud.model.resources.find(
    (r) => r.type === 'AWS::DynamoDB::GlobalTable' && r.logicalId.startsWith('Table'),
  );
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: String(table?.physicalId),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: orderKeys.partition(tenantId) } },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  client.destroy();
  return count;
}

/** The files bucket's name, as the local cloud created it from the template. */
function bucketName(): string {
  const bucket = e2e.cloud.model.resources.find(
    (r) => r.type === 'AWS::S3::Bucket' && r.logicalId.startsWith('FilesBucket'),
  );
  return String(bucket?.physicalId);
}

interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

describe('tenant files on the local cloud', () => {
  it('imports a 10,000-line NDJSON uploaded through the pre-signed POST into 10,000 orders', async () => {
    const token = e2e.idToken(ACME, 'member');
    const before = await orderCount(tenantOf(token));
    const accepted = await api('POST', '/jobs', token, {
      type: 'orders.import',
      source: 'upload',
      format: 'ndjson',
    });
    expect(accepted.status).toBe(202);
    const file = Array.from({ length: 10_000 }, (_, i) =>
      JSON.stringify({ items: [{ sku: 'WIDGET-1', quantity: (i % 5) + 1 }], note: `line ${i + 1}` }),
    ).join('\n');
    const posted = await postForm(accepted.body.upload as UploadForm, file);
    expect(posted.status).toBe(204);

    const job = await pollUntilFinished(String(accepted.body.jobId), token);
    expect(job).toMatchObject({
      status: 'succeeded',
      result: { created: 10_000, alreadyImported: 0, invalidCount: 0, lines: 10_000 },
    });
    expect((await orderCount(tenantOf(token))) - before).toBe(10_000);
  });

  it('downloads a report as CSV through the 303 to a pre-signed GET; another tenant gets 404', async () => {
    const token = e2e.idToken(ACME, 'member');
    // From yesterday: the orders the import above created stay in the period when the run crosses midnight UTC.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const accepted = await api('POST', '/jobs', token, { type: 'orders.report', from: day(-1), to: day(0) });
    const job = await pollUntilFinished(String(accepted.body.jobId), token);
    expect(job.status).toBe('succeeded');

    const redirect = await fetch(`${e2e.apiUrl}/jobs/${String(accepted.body.jobId)}/result`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(303);
    const location = String(redirect.headers.get('location'));
    const download = await fetch(location);
    expect(download.status).toBe(200);
    const rows = (await download.text()).trim().split('\n');
    expect(rows[0]).toBe('orderId,createdAt,status,currency,total');
    expect(rows.length - 1).toBe((job.result as { orderCount: number }).orderCount);
    expect(rows.length - 1).toBeGreaterThan(0);

    const other = await fetch(`${e2e.apiUrl}/jobs/${String(accepted.body.jobId)}/result`, {
      headers: { authorization: `Bearer ${e2e.idToken(GLOBEX, 'member')}` },
      redirect: 'manual',
    });
    expect(other.status).toBe(404);

    // The same object behind a link signed ten minutes ago for five: S3 refuses it.
    const { pathname } = new URL(location);
    const [bucket, ...key] = pathname.slice(1).split('/');
    const expired = await getSignedUrl(
      new S3Client({
        endpoint: new URL(location).origin,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: LOCAL_CREDENTIALS,
      }),
      new GetObjectCommand({ Bucket: bucket, Key: decodeURIComponent(key.join('/')) }),
      { expiresIn: 300, signingDate: new Date(Date.now() - 10 * 60_000) },
    );
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('sends an invoice as application/pdf starting with %PDF; another tenant gets 404', async () => {
    const token = e2e.idToken(ACME, 'member');
    const created = await api('POST', '/orders', token, { items: [{ sku: 'WIDGET-1', quantity: 3 }] });
    expect(created.status).toBe(201);
    const url = `${e2e.apiUrl}/orders/${String(created.body.orderId)}/invoice`;

    const invoice = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/pdf' },
    });
    expect(invoice.status).toBe(200);
    expect(invoice.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await invoice.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const other = await fetch(url, {
      headers: { authorization: `Bearer ${e2e.idToken(GLOBEX, 'member')}`, accept: 'application/pdf' },
    });
    expect(other.status).toBe(404);
  });

  it('refuses an upload over 100 MB at S3, and the job never starts', async () => {
    const token = e2e.idToken(GLOBEX, 'member');
    const accepted = await api('POST', '/jobs', token, {
      type: 'orders.import',
      source: 'upload',
      format: 'csv',
    });
    expect(await postOversizeForm(accepted.body.upload as UploadForm, Buffer.alloc(101_000_000, 0x20))).toBe(
      'refused',
    );
    const fields = (accepted.body.upload as UploadForm).fields;
    const stored = await new S3Client({
      endpoint: endpoint('S3'),
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    })
      .send(new GetObjectCommand({ Bucket: bucketName(), Key: String(fields.key) }))
      .catch((error: Error) => error.name);
    expect(stored).toBe('NoSuchKey');
    const { body: job } = await api('GET', `/jobs/${String(accepted.body.jobId)}`, token);
    expect(job.status).toBe('queued');
  });
});
