import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';
import { type BucketSettings, type ObjectEvent, S3Front } from './s3-front';

/** An S3-compatible endpoint on the loopback interface. */
export interface S3Engine {
  /** `http://127.0.0.1:<port>`: what SDK clients use as `endpoint` (and functions as `AWS_ENDPOINT_URL_S3`). */
  readonly endpoint: string;
  /** The largest object one PutObject or POST may carry here. */
  readonly maxBodyBytes: number;
  close(): Promise<void>;
}

export interface S3EngineOptions {
  readonly region: string;
  /** Access keys pre-signed URLs and POST policies may be signed with. */
  readonly credentials: ReadonlyArray<{ readonly accessKeyId: string; readonly secretAccessKey: string }>;
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

/**
 * Starts the embedded S3 engine (fauxqs's S3, in a worker thread) behind the front that verifies pre-signed
 * requests and answers CORS (s3-front.ts), and resolves once both listen; the endpoint is the front's.
 */
export async function startS3Engine(options: S3EngineOptions): Promise<S3Engine> {
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
  worker.on('error', (error) =>
    (options.log ?? ((line) => process.stderr.write(`[s3] ${line}\n`)))(`engine error: ${error.message}`),
  );
  const secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey] as const));
  const front = new S3Front({
    engineEndpoint: `http://127.0.0.1:${port}`,
    secretOf: (accessKeyId) => secrets.get(accessKeyId),
    bucketSettings: options.bucketSettings,
    maxBodyBytes: bodyLimit,
    ...(options.onObjectEvent ? { onObjectEvent: options.onObjectEvent } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const endpoint = await front.listen(options.port ?? 0);
  return {
    endpoint,
    maxBodyBytes: bodyLimit,
    async close() {
      await front.close();
      const stopped = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' });
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await worker.terminate();
    },
  };
}
