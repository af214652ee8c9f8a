import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LocalS3 } from 'cdk-local-cloud/testing';
import { stageConfig } from '../../infra/config';
import { LIBRARY_ENV, TEST_ENV } from './test-env';

/** What the files bucket looks like to handler tests: the local S3 engine with the bucket the stack declares. */
export interface FilesEngine {
  readonly s3: LocalS3;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the local cloud's S3 engine (pre-signed URLs and POST policies verified as S3 does), creates the files
 * bucket with the stack's CORS origins and points the AWS SDK at it through AWS_ENDPOINT_URL_S3, as the local
 * cloud does for deployed functions. With `notify`, every object created under `tenants/` is announced on that
 * queue in S3's event shape, as the stack's notification does.
 */
export async function startFilesBucket(notify?: {
  client: SQSClient;
  queueUrl: string;
}): Promise<FilesEngine> {
  const s3 = await LocalS3.start({
    region: LIBRARY_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LIBRARY_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LIBRARY_ENV.AWS_SECRET_ACCESS_KEY,
    },
    log: () => {},
  });
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  await s3.createBucket(TEST_ENV.FILES_BUCKET_NAME, {
    cors: [
      {
        allowedOrigins: [...stageConfig('sandbox').allowedOrigins],
        allowedMethods: ['POST', 'GET', 'HEAD'],
        allowedHeaders: ['*'],
        exposedHeaders: ['ETag', 'Location'],
      },
    ],
  });
  if (notify) {
    s3.onObjectEvent((event) => {
      if (!event.eventName.startsWith('ObjectCreated:') || !event.key.startsWith('tenants/')) return;
      const body = {
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            eventName: event.eventName,
            s3: {
              bucket: { name: event.bucket },
              object: { key: encodeURIComponent(event.key).replace(/%2F/g, '/'), size: event.size },
            },
          },
        ],
      };
      void notify.client.send(
        new SendMessageCommand({ QueueUrl: notify.queueUrl, MessageBody: JSON.stringify(body) }),
      );
    });
  }
  return { s3, endpoint: s3.endpoint, stop: () => s3.close() };
}

/** Posts `file` with a pre-signed POST form, as a browser would (the fields first, the file last). */
export async function postForm(
  form: { url: string; fields: Record<string, string> },
  file: Buffer | string,
  options: { filename?: string; contentType?: string } = {},
): Promise<{ status: number; body: string }> {
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  data.append(
    'file',
    new Blob([typeof file === 'string' ? file : new Uint8Array(file)], {
      type: options.contentType ?? form.fields['Content-Type'] ?? 'application/octet-stream',
    }),
    options.filename ?? 'upload',
  );
  const response = await fetch(form.url, { method: 'POST', body: data });
  return { status: response.status, body: await response.text() };
}

/**
 * Posts a file S3 must refuse for its size: S3 answers EntityTooLarge, and may close the connection before the
 * client has sent the whole body (then the client sees a reset). Either is a refusal; anything else is returned
 * for the test to fail on.
 */
export async function postOversizeForm(
  form: { url: string; fields: Record<string, string> },
  file: Buffer,
): Promise<'refused' | { status: number; body: string }> {
  try {
    const posted = await postForm(form, file);
    return posted.status === 400 && posted.body.includes('<Code>EntityTooLarge</Code>') ? 'refused' : posted;
  } catch (error) {
    const cause = (error as Error).cause as { code?: string } | undefined;
    if (cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE') return 'refused';
    throw error;
  }
}
