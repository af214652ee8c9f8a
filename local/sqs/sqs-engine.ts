import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';
import { type SqsRequestAuthorizer, SqsTraceFront } from './sqs-trace-front';

/** An SQS-compatible endpoint on the loopback interface. */
export interface SqsEngine {
  /** `http://127.0.0.1:<port>`: what SDK clients use as `endpoint` (and functions as `AWS_ENDPOINT_URL_SQS`). */
  readonly endpoint: string;
  /** The app's account, put in place of the engine's in the SNS notifications queues receive. */
  setAppAccount(account: string): void;
  /** Sets the check (IAM) every request passes before the engine serves it. */
  authorizeWith(authorizer: SqsRequestAuthorizer | undefined): void;
  close(): Promise<void>;
}

export interface SqsEngineOptions {
  readonly region: string;
  /** Keeps queues and messages across restarts (fauxqs's SQLite store). @default in memory */
  readonly dataDir?: string;
  /** @default 0, a free port */
  readonly port?: number;
}

const WORKER = workerScript(__dirname, 'sqs-engine-worker');

/**
 * Starts the embedded SQS engine (fauxqs) in a worker thread, behind the proxy that keeps messages' X-Ray
 * trace headers (fauxqs drops them), and resolves once both listen; the endpoint is the proxy's.
 */
export async function startSqsEngine(options: SqsEngineOptions): Promise<SqsEngine> {
  const worker = new Worker(WORKER, {
    workerData: {
      region: options.region,
      port: 0,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    },
    // The parent's flags (a test runner's, a debugger's) are not the engine's.
    // fauxqs loads node:sqlite (experimental in Node 24) even in memory; its warning is noise here.
    execArgv: ['--disable-warning=ExperimentalWarning'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the SQS engine exited with code ${code} before listening`)),
    );
    worker.once('message', (message: { type: string; port: number }) => resolve(message.port));
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', (error) => process.stderr.write(`[sqs] engine error: ${error.message}\n`));
  const front = new SqsTraceFront(`http://127.0.0.1:${port}`);
  const endpoint = await front.listen(options.port ?? 0);
  return {
    endpoint,
    setAppAccount(account) {
      front.appAccount = account;
    },
    authorizeWith: (authorizer) => front.setAuthorizer(authorizer),
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
