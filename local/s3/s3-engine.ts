import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';
import type { SecretLookup } from './presigned-url';
import {
  type BucketSettings,
  type EngineAddress,
  type ObjectEvent,
  type S3Authorizer,
  S3Front,
} from './s3-front';

/** An S3-compatible endpoint on the loopback interface. */
export interface S3Engine {
  /** `http://127.0.0.1:<port>`: what SDK clients use as `endpoint` (and functions as `AWS_ENDPOINT_URL_S3`). */
  readonly endpoint: string;
  /** Whether the engine behind the endpoint has started (it does on first use). */
  readonly started: boolean;
  close(): Promise<void>;
}

export interface S3EngineOptions {
  readonly region: string;
  /** Access keys pre-signed URLs and POST policies may be signed with. */
  readonly credentials: ReadonlyArray<{ readonly accessKeyId: string; readonly secretAccessKey: string }>;
  /** The secret of any other key a signer may use (functions' role sessions, STS sessions). @default none */
  readonly secretOf?: SecretLookup;
  /**
   * IAM: given the signer's access key and the request, the refusal message (403 AccessDenied), or undefined to
   * serve it. @default every signed request is served
   */
  readonly authorize?: S3Authorizer;
  /** A bucket's CORS rules; `undefined` for a bucket without settings. */
  readonly bucketSettings: (bucket: string) => BucketSettings | undefined;
  readonly onObjectEvent?: (event: ObjectEvent) => void;
  /** Keeps objects across restarts, as files under this directory. @default in memory */
  readonly dataDir?: string;
  /** @default 0, a free port */
  readonly port?: number;
  readonly log?: (line: string) => void;
}

const WORKER = workerScript(__dirname, 's3-engine-worker');

interface RunningWorker {
  readonly worker: Worker;
  readonly address: EngineAddress;
}

/** Starts fauxqs's S3 in a worker thread and resolves once it listens. */
async function startWorker(options: S3EngineOptions): Promise<RunningWorker> {
  const worker = new Worker(WORKER, {
    workerData: {
      region: options.region,
      port: 0,
      ...(options.dataDir ? { storageDir: options.dataDir } : {}),
    },
    // The parent's flags (a test runner's, a debugger's) are not the engine's.
    // fauxqs loads node:sqlite (experimental in Node 24) even in memory; its warning is noise here.
    execArgv: ['--disable-warning=ExperimentalWarning'],
  });
  const { port, bodyLimit } = await new Promise<{ port: number; bodyLimit: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the S3 engine exited with code ${code} before listening`)),
    );
    worker.once('message', (message: { port: number; bodyLimit: number }) => resolve(message));
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  const log = options.log ?? ((line: string) => process.stderr.write(`[s3] ${line}\n`));
  worker.on('error', (error) => log(`engine error: ${error.message}`));
  return { worker, address: { endpoint: `http://127.0.0.1:${port}`, maxBodyBytes: bodyLimit } };
}

async function stopWorker({ worker }: RunningWorker): Promise<void> {
  const stopped = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage({ type: 'stop' });
  await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  await worker.terminate();
}

/**
 * Opens the S3 endpoint: the front that verifies pre-signed requests and answers CORS (s3-front.ts) listens at
 * once; the engine behind it (fauxqs's S3, in a worker thread) starts on the first request, so an app without
 * buckets never loads it.
 */
export async function startS3Engine(options: S3EngineOptions): Promise<S3Engine> {
  let running: Promise<RunningWorker> | undefined;
  const secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey] as const));
  const front = new S3Front({
    engine: async () => {
      running ??= startWorker(options);
      return (await running).address;
    },
    secretOf: (accessKeyId) => secrets.get(accessKeyId) ?? options.secretOf?.(accessKeyId),
    bucketSettings: options.bucketSettings,
    ...(options.authorize ? { authorize: options.authorize } : {}),
    ...(options.onObjectEvent ? { onObjectEvent: options.onObjectEvent } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const endpoint = await front.listen(options.port ?? 0);
  return {
    endpoint,
    get started() {
      return running !== undefined;
    },
    async close() {
      await front.close();
      const worker = await running?.catch(() => undefined);
      if (worker) await stopWorker(worker);
    },
  };
}
