import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LOCAL_CREDENTIALS, type LocalCloud, startLocalCloud } from '../../local-cloud';
import type { LocalService } from '../../local-service';
import type { LambdaInvoker } from '../../model';
import { awsEvent, eventShape } from '../support/aws-events';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * A small CDK app of our own, written the way public CDK apps use S3: a bucket with CORS for a browser origin,
 * a function that writes and reads it with an unmodified `new S3Client({})` (the SDK the runtime provides),
 * notifications to a function through `S3EventSource` (prefix filter) and to a queue through
 * `addEventNotification` + `SqsDestination` (suffix filter), and a REST API that proxies the bucket
 * (`AwsIntegration` with `path/{bucket}/{key}`, a credentials role, binary media types).
 */
const WRITER = `
const { S3Client, PutObjectCommand, GetObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
const s3 = new S3Client({});
exports.handler = async (event) => {
  await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: event.key, Body: event.body }));
  const got = await s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: event.key }));
  const download = await getSignedUrl(s3, new GetObjectCommand({ Bucket: process.env.BUCKET, Key: event.key }), { expiresIn: 300 });
  return { bucket: process.env.BUCKET, domain: process.env.DOMAIN, body: await got.Body.transformToString(), download };
};`;
const RECORDER = 'exports.handler = async (event) => ({ records: event.Records.length });';
const ORIGIN = 'https://console.example.com';

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'S3App');
  const bucket = new s3.Bucket(stack, 'Files', {
    cors: [
      {
        allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.POST],
        allowedOrigins: [ORIGIN],
        allowedHeaders: ['*'],
      },
    ],
    versioned: true,
  });
  const writer = new lambda.Function(stack, 'Writer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(WRITER),
    environment: { BUCKET: bucket.bucketName, DOMAIN: bucket.bucketRegionalDomainName },
  });
  bucket.grantReadWrite(writer);
  const recorder = new lambda.Function(stack, 'Recorder', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(RECORDER),
  });
  recorder.addEventSource(
    new sources.S3EventSource(bucket, {
      events: [s3.EventType.OBJECT_CREATED],
      filters: [{ prefix: 'incoming/' }],
    }),
  );
  const queue = new sqs.Queue(stack, 'Arrivals');
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), { suffix: '.csv' });

  const api = new apigw.RestApi(stack, 'FilesApi', {
    binaryMediaTypes: ['application/octet-stream', 'image/png'],
  });
  const role = new iam.Role(stack, 'ApiS3Role', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
  });
  bucket.grantReadWrite(role);
  const file = api.root.addResource('files').addResource('{key}');
  const s3Call = (httpMethod: string, options: Partial<apigw.IntegrationOptions>) =>
    new apigw.AwsIntegration({
      service: 's3',
      integrationHttpMethod: httpMethod,
      path: `${bucket.bucketName}/{key}`,
      options: {
        credentialsRole: role,
        requestParameters: { 'integration.request.path.key': 'method.request.path.key' },
        ...options,
      },
    });
  file.addMethod(
    'PUT',
    s3Call('PUT', {
      requestParameters: {
        'integration.request.path.key': 'method.request.path.key',
        'integration.request.header.Content-Type': 'method.request.header.Content-Type',
      },
      integrationResponses: [{ statusCode: '200' }],
    }),
    {
      requestParameters: { 'method.request.path.key': true, 'method.request.header.Content-Type': false },
      methodResponses: [{ statusCode: '200' }],
    },
  );
  file.addMethod(
    'GET',
    s3Call('GET', {
      integrationResponses: [
        {
          statusCode: '200',
          responseParameters: {
            'method.response.header.Content-Type': 'integration.response.header.Content-Type',
          },
        },
        { statusCode: '404', selectionPattern: '404' },
      ],
    }),
    {
      requestParameters: { 'method.request.path.key': true },
      methodResponses: [
        { statusCode: '200', responseParameters: { 'method.response.header.Content-Type': true } },
        { statusCode: '404' },
      ],
    },
  );
  new CfnOutput(stack, 'BucketName', { value: bucket.bucketName });
  new CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
  app.synth();
}

/** A service of the test's own that only keeps the invoker every service gets, to call functions directly. */
let invoker: LambdaInvoker | undefined;
const invokerProbe: LocalService = {
  name: 'invoker-probe',
  resourceTypes: { emulated: [] },
  bind: async () => ({
    start: async (context) => {
      invoker = context.invoker;
      return {};
    },
    close: async () => undefined,
  }),
};

/** What the tests read of an S3 event record. */
type EventRecord = { readonly s3: { readonly object: { readonly key: string } } } & Record<string, unknown>;

let served: CloudOnApp | undefined;
let cloud: LocalCloud;
let client: S3Client;
let outputs: Record<string, string>;
const handed: Array<{ functionArn: string; event: unknown }> = [];

beforeAll(async () => {
  served = await startCloudOnApp('local-cloud-s3', synth, {
    onEvent: (functionArn, event) => handed.push({ functionArn, event }),
    extraServices: [invokerProbe],
  });
  cloud = served.cloud;
  client = new S3Client({
    region: 'us-east-1',
    endpoint: served.endpoint('S3'),
    credentials: LOCAL_CREDENTIALS,
  });
  outputs = { ...cloud.model.outputs?.S3App };
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await served?.close();
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const functionArn = (logicalPrefix: string) =>
  cloud.model.resources.find(
    (r) => r.type === 'AWS::Lambda::Function' && r.logicalId.startsWith(logicalPrefix),
  )?.attributes.Arn ?? 'missing';

describe('S3 of a CDK app on the local cloud', () => {
  it('serves the bucket and its notifications, and lists only what it does not emulate', () => {
    const types = cloud.notEmulated.map((group) => group.type);
    expect(types).not.toContain('AWS::S3::Bucket');
    expect(types).not.toContain('Custom::S3BucketNotifications');
    // CDK's notifications handler (Python) only runs while CloudFormation deploys: not a function the app misses.
    expect(types).not.toContain('AWS::Lambda::Function');
    expect(cloud.notices).toContainEqual(
      expect.stringMatching(/bucket S3App\/Files\w*: versioning not emulated/),
    );
    expect(cloud.functionEnv.AWS_ENDPOINT_URL_S3).toBe(served?.endpoint('S3'));
  });

  it('lets a function put, get and pre-sign objects with an unmodified S3Client, the bucket name from its environment', async () => {
    const result = await invoker?.invoke(functionArn('Writer'), { key: 'notes/hello.txt', body: 'hi there' });
    expect(result).toMatchObject({ bucket: outputs.BucketName, body: 'hi there' });
    // The URL the function pre-signed reaches the object from outside the cloud.
    const download = await fetch((result as { download: string }).download);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('hi there');
    expect((result as { domain: string }).domain).toMatch(
      new RegExp(`^${outputs.BucketName}\\.s3\\.us-east-1\\.localhost:\\d+$`),
    );
  });

  it('delivers an ObjectCreated record shaped as AWS’s to the S3EventSource function, honouring its prefix', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: outputs.BucketName, Key: 'other/skipped.txt', Body: 'no' }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: outputs.BucketName, Key: 'incoming/new file.txt', Body: 'yes!' }),
    );
    const recorder = functionArn('Recorder');
    const recordsTo = (fn: string) =>
      handed
        .filter((h) => h.functionArn === fn)
        .flatMap((h) => (h.event as { Records: EventRecord[] }).Records);
    const record = await until(
      () => recordsTo(recorder).find((r) => r.s3.object.key === 'incoming/new+file.txt'),
      'the notification of incoming/new file.txt',
    );
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'us-east-1',
      s3: {
        bucket: { name: outputs.BucketName, arn: `arn:aws:s3:::${outputs.BucketName}` },
        object: { size: 4 },
      },
    });
    const [sample] = awsEvent<{ Records: unknown[] }>('s3_object-created.json').Records;
    expect(eventShape(record)).toEqual(eventShape(sample));
    expect(recordsTo(recorder).some((r) => r.s3.object.key.startsWith('other/'))).toBe(false);
  });

  it('sends the queue S3’s test event, then the records of objects matching its suffix', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: outputs.BucketName, Key: 'reports/skipped.txt', Body: 'no' }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: outputs.BucketName, Key: 'reports/r1.csv', Body: 'a,b' }),
    );
    const queues = new SQSClient({
      region: 'us-east-1',
      endpoint: served?.endpoint('SQS'),
      credentials: LOCAL_CREDENTIALS,
    });
    const bodies: Array<{ Records?: EventRecord[] } & Record<string, unknown>> = [];
    try {
      await until(async () => {
        const { Messages = [] } = await queues.send(
          new ReceiveMessageCommand({
            QueueUrl: outputs.QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        bodies.push(...Messages.map((m) => JSON.parse(m.Body ?? '{}')));
        return bodies.some((b) => b.Records?.[0]?.s3.object.key === 'reports/r1.csv') ? true : undefined;
      }, 'the queued notification');
    } finally {
      queues.destroy();
    }
    expect(bodies[0]).toMatchObject({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Bucket: outputs.BucketName,
    });
    const keys = bodies.flatMap((b) => (b.Records ?? []).map((r) => r.s3.object.key));
    expect(keys).not.toContain('reports/skipped.txt');
  });

  it('answers a browser preflight from the allowed origin, and refuses another origin with 403', async () => {
    const preflight = (origin: string) =>
      fetch(`${served?.endpoint('S3')}/${outputs.BucketName}/uploads/x.csv`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(ORIGIN);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const refused = await preflight('https://elsewhere.example.org');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>AccessForbidden</Code>');
  });

  it('proxies the bucket through the REST API: a binary PUT, then a GET of the same bytes', async () => {
    const api = cloud.restApis[0]?.url ?? 'missing';
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const put = await fetch(`${api}/files/photo.bin`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(put.status).toBe(200);
    const stored = await client.send(new GetObjectCommand({ Bucket: outputs.BucketName, Key: 'photo.bin' }));
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
    expect(stored.ContentType).toBe('application/octet-stream');

    const got = await fetch(`${api}/files/photo.bin`, { headers: { accept: 'application/octet-stream' } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);

    const missing = await fetch(`${api}/files/nothing-here.bin`);
    expect(missing.status).toBe(404);
  });
});

describe('S3 under --persist', () => {
  it('keeps buckets and objects across a restart', async () => {
    const work = mkdtempSync(join(tmpdir(), 'local-cloud-s3-persist-'));
    try {
      const cdkOut = join(work, 'cdk.out');
      const app = new App({ outdir: cdkOut });
      const stack = new Stack(app, 'PersistApp');
      const bucket = new s3.Bucket(stack, 'Kept');
      new CfnOutput(stack, 'BucketName', { value: bucket.bucketName });
      app.synth();
      const start = () =>
        startLocalCloud({ cdkOut, port: 0, persistDir: join(work, 'data'), log: { write: () => true } });
      const clientOf = (running: LocalCloud) =>
        new S3Client({
          region: 'us-east-1',
          endpoint: running.endpoints.find((e) => e.kind === 'S3')?.url,
          credentials: LOCAL_CREDENTIALS,
        });
      const first = await start();
      const name = first.model.outputs?.PersistApp?.BucketName;
      const writer = clientOf(first);
      await writer.send(new PutObjectCommand({ Bucket: name, Key: 'kept/one.txt', Body: 'still here' }));
      writer.destroy();
      await first.close();

      const second = await start();
      const reader = clientOf(second);
      try {
        const got = await reader.send(new GetObjectCommand({ Bucket: name, Key: 'kept/one.txt' }));
        expect(await got.Body?.transformToString()).toBe('still here');
      } finally {
        reader.destroy();
        await second.close();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
