import { get as httpGet } from 'node:http';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LocalS3, type ObjectEvent } from '../../testing';

/**
 * The S3 engine as a handler test uses it (`cdk-local-cloud/testing`): objects through an unmodified SDK v3
 * client, pre-signed URLs and POST policies verified as S3 verifies them, CORS, S3's XML errors.
 */
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'AKIATESTS3ENGINE0001', secretAccessKey: 'engine-test-secret' };
const BUCKET = 'engine-bucket';
const ORIGIN = 'https://app.example.com';

let s3: LocalS3;
let client: S3Client;
const events: ObjectEvent[] = [];

beforeAll(async () => {
  s3 = await LocalS3.start({ region: REGION, credentials, log: () => undefined });
  s3.onObjectEvent((event) => events.push(event));
  await s3.createBucket(BUCKET, {
    cors: [
      {
        allowedMethods: ['GET', 'PUT', 'POST'],
        allowedOrigins: [ORIGIN],
        allowedHeaders: ['content-type', 'x-amz-*'],
        exposedHeaders: ['ETag'],
        maxAge: 600,
      },
    ],
  });
  client = new S3Client({ region: REGION, endpoint: s3.endpoint, credentials });
});

afterAll(async () => {
  client.destroy();
  await s3.close();
});

/** The `<Code>` and `<Message>` of an S3 XML error body. */
function xmlError(body: string): { code?: string; message?: string; requestId?: string } {
  return {
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1],
    requestId: /<RequestId>([^<]*)<\/RequestId>/.exec(body)?.[1],
  };
}

describe('objects through an unmodified SDK client', () => {
  it('puts, gets, heads, lists, copies and deletes objects, addressing the bucket path-style by itself', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'docs/a b.txt', Body: 'hello', ContentType: 'text/plain' }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'docs/a b.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    expect(got.ContentType).toBe('text/plain');
    await client.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'docs/copy.txt', CopySource: `${BUCKET}/docs/a%20b.txt` }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'docs/copy.txt' }));
    expect(head.ContentLength).toBe(5);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'docs/' }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(['docs/a b.txt', 'docs/copy.txt']);
    const deleted = await client.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'docs/a b.txt' }, { Key: 'docs/copy.txt' }] },
      }),
    );
    expect(deleted.Deleted).toHaveLength(2);
    const after = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'docs/' }));
    expect(after.KeyCount).toBe(0);
  });

  it('answers a ranged GET with 206 and only the bytes asked for', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Body: '0123456789' }));
    const part = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=2-5' }),
    );
    expect(await part.Body?.transformToString()).toBe('2345');
    expect(part.ContentRange).toBe('bytes 2-5/10');
    expect(part.$metadata.httpStatusCode).toBe(206);
  });

  it('assembles a multipart upload from its parts', async () => {
    const key = 'multipart.bin';
    const first = Buffer.alloc(5 * 1024 * 1024, 'a');
    const second = Buffer.from('tail');
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const parts = [];
    for (const [n, body] of [first, second].entries()) {
      const { ETag } = await client.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: n + 1, Body: body }),
      );
      parts.push({ ETag, PartNumber: n + 1 });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(first.length + second.length);
    expect(head.ETag).toMatch(/-2"$/);
    const tail = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: `bytes=-4` }));
    expect(await tail.Body?.transformToString()).toBe('tail');
  });

  it('takes one PutObject larger than the engine’s own 11 MiB request limit', async () => {
    const body = Buffer.alloc(12 * 1024 * 1024, 'z');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'large.bin', Body: body }));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'large.bin' }));
    expect(head.ContentLength).toBe(body.length);
  });

  it('refuses a request with no credentials with 403 AccessDenied in XML', async () => {
    const response = await fetch(`${s3.endpoint}/${BUCKET}/range.txt`);
    expect(response.status).toBe(403);
    const error = xmlError(await response.text());
    expect(error.code).toBe('AccessDenied');
    expect(error.requestId).toBe(response.headers.get('x-amz-request-id'));
  });

  it('serves the virtual-hosted style on <bucket>.localhost as well', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'virtual.txt', Body: '0123456789' }));
    const virtual = new S3Client({
      region: REGION,
      endpoint: s3.endpoint.replace('127.0.0.1', 'localhost'),
      credentials,
    });
    const signed = new URL(
      await getSignedUrl(virtual, new GetObjectCommand({ Bucket: BUCKET, Key: 'virtual.txt' })),
    );
    virtual.destroy();
    expect(signed.hostname).toBe(`${BUCKET}.localhost`);
    // Node's resolver does not map *.localhost to the loopback (browsers do): connect to it, Host as signed.
    const { status, body } = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const port = new URL(s3.endpoint).port;
      httpGet(
        {
          host: '127.0.0.1',
          port,
          path: `${signed.pathname}${signed.search}`,
          headers: { host: signed.host },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode, body: text }));
        },
      ).on('error', reject);
    });
    expect(status).toBe(200);
    expect(body).toBe('0123456789');
  });
});

describe('pre-signed URLs', () => {
  it('accepts a pre-signed PUT, then serves the object through a pre-signed GET', async () => {
    const put = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned/report.csv', ContentType: 'text/csv' }),
      {
        expiresIn: 300,
      },
    );
    const uploaded = await fetch(put, {
      method: 'PUT',
      body: 'a,b\n1,2\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(uploaded.status).toBe(200);
    const get = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'presigned/report.csv' }),
      { expiresIn: 300 },
    );
    const downloaded = await fetch(get);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-type')).toBe('text/csv');
    expect(await downloaded.text()).toBe('a,b\n1,2\n');
  });

  it('answers an expired URL with 403 AccessDenied "Request has expired"', async () => {
    const signingDate = new Date(Date.now() - 10 * 60 * 1000);
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt' }), {
      expiresIn: 60,
      signingDate,
    });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const body = await response.text();
    expect(xmlError(body)).toMatchObject({ code: 'AccessDenied', message: 'Request has expired' });
    expect(body).toContain('<X-Amz-Expires>60</X-Amz-Expires>');
  });

  it.each([
    ['its key', (url: string) => url.replace('/range.txt?', '/other.txt?')],
    ['its expiry', (url: string) => url.replace('X-Amz-Expires=300', 'X-Amz-Expires=3000')],
  ])('answers a URL whose %s was changed with 403 SignatureDoesNotMatch', async (_what, tamper) => {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt' }), {
      expiresIn: 300,
    });
    const tampered = tamper(url);
    expect(tampered).not.toBe(url);
    const response = await fetch(tampered);
    expect(response.status).toBe(403);
    expect(xmlError(await response.text()).code).toBe('SignatureDoesNotMatch');
  });

  it('answers a URL signed with an unknown key with 403 InvalidAccessKeyId', async () => {
    const stranger = new S3Client({
      region: REGION,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' },
    });
    const url = await getSignedUrl(stranger, new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt' }));
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(xmlError(await response.text()).code).toBe('InvalidAccessKeyId');
    stranger.destroy();
  });
});

describe('pre-signed POST (browser-based upload)', () => {
  async function post(
    fields: Record<string, string>,
    url: string,
    file: Blob,
    extra: Record<string, string> = {},
  ) {
    const form = new FormData();
    for (const [name, value] of Object.entries({ ...fields, ...extra })) form.append(name, value);
    form.append('file', file, 'orders.ndjson');
    return fetch(url, { method: 'POST', body: form });
  }

  const presign = (conditions: Parameters<typeof createPresignedPost>[1]['Conditions'] = [], expires = 300) =>
    createPresignedPost(client, {
      Bucket: BUCKET,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's placeholder for the file's name.
      Key: 'uploads/tenant-a/${filename}',
      Conditions: [
        ['content-length-range', 1, 1024],
        ['starts-with', '$Content-Type', 'application/'],
        ...conditions,
      ],
      Fields: { 'Content-Type': 'application/x-ndjson', success_action_status: '201' },
      Expires: expires,
    });

  it('stores the file under the policy’s key, the file name in place of its placeholder, and answers 201', async () => {
    const { url, fields } = await presign([{ success_action_status: '201' }]);
    const response = await post(fields, url, new Blob(['{"a":1}\n']));
    expect(response.status).toBe(201);
    const got = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/tenant-a/orders.ndjson' }),
    );
    expect(await got.Body?.transformToString()).toBe('{"a":1}\n');
    expect(got.ContentType).toBe('application/x-ndjson');
    expect(events).toContainEqual(
      expect.objectContaining({
        eventName: 'ObjectCreated:Post',
        key: 'uploads/tenant-a/orders.ndjson',
        size: 8,
      }),
    );
  });

  it('refuses a file above the content-length-range with 400 EntityTooLarge, and stores nothing', async () => {
    const { url, fields } = await presign([{ success_action_status: '201' }]);
    const response = await post(
      { ...fields, key: 'uploads/tenant-a/too-big.ndjson' },
      url,
      new Blob([Buffer.alloc(2048, 'x')]),
    );
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(xmlError(body)).toMatchObject({
      code: 'EntityTooLarge',
      message: 'Your proposed upload exceeds the maximum allowed size',
    });
    expect(body).toContain('<MaxSizeAllowed>1024</MaxSizeAllowed>');
    await expect(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/tenant-a/too-big.ndjson' })),
    ).rejects.toThrow();
  });

  it('refuses an empty file below the range with 400 EntityTooSmall', async () => {
    const { url, fields } = await presign([{ success_action_status: '201' }]);
    const response = await post(fields, url, new Blob([]));
    expect(response.status).toBe(400);
    expect(xmlError(await response.text()).code).toBe('EntityTooSmall');
  });

  it('refuses a key outside the signed one with 403 AccessDenied naming the failed condition', async () => {
    const { url, fields } = await presign([{ success_action_status: '201' }]);
    const response = await post({ ...fields, key: 'uploads/tenant-b/x.ndjson' }, url, new Blob(['x']));
    expect(response.status).toBe(403);
    expect(xmlError(await response.text()).message).toMatch(
      /^Invalid according to Policy: Policy Condition failed: .*\$key/,
    );
  });

  it('refuses a Content-Type the starts-with condition does not allow', async () => {
    const { url, fields } = await presign([{ success_action_status: '201' }]);
    const response = await post({ ...fields, 'Content-Type': 'text/html' }, url, new Blob(['x']));
    expect(response.status).toBe(403);
    expect(xmlError(await response.text()).message).toContain('$Content-Type');
  });

  it('refuses a form field no condition covers', async () => {
    const { url, fields } = await presign([{ success_action_status: '201' }]);
    const response = await post(fields, url, new Blob(['x']), { 'x-amz-meta-owner': 'tenant-b' });
    expect(response.status).toBe(403);
    expect(xmlError(await response.text()).message).toBe(
      'Invalid according to Policy: Extra input fields: x-amz-meta-owner',
    );
  });

  it('refuses an expired policy and a tampered one', async () => {
    const expired = await createPresignedPost(client, {
      Bucket: BUCKET,
      Key: 'uploads/x',
      Expires: -10,
    });
    const late = await post(expired.fields, expired.url, new Blob(['x']));
    expect(late.status).toBe(403);
    expect(xmlError(await late.text()).message).toBe('Invalid according to Policy: Policy expired.');

    const { url, fields } = await presign([{ success_action_status: '201' }]);
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
    policy.conditions = policy.conditions.map((c: unknown) =>
      Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 1, 10_000_000] : c,
    );
    const forged = { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') };
    const response = await post(forged, url, new Blob([Buffer.alloc(2048, 'x')]));
    expect(response.status).toBe(403);
    expect(xmlError(await response.text()).code).toBe('SignatureDoesNotMatch');
  });
});

describe('CORS from the bucket configuration', () => {
  it('answers an allowed preflight with the rule’s headers', async () => {
    const response = await fetch(`${s3.endpoint}/${BUCKET}/uploads/x`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, PUT, POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(response.headers.get('access-control-max-age')).toBe('600');
  });

  it('refuses a preflight from an origin no rule allows with 403 AccessForbidden', async () => {
    const response = await fetch(`${s3.endpoint}/${BUCKET}/uploads/x`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'PUT' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(xmlError(await response.text()).code).toBe('AccessForbidden');
  });

  it('adds the CORS headers to an allowed origin’s actual request', async () => {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt' }));
    const response = await fetch(url, { headers: { origin: ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toBe('ETag');
  });
});
