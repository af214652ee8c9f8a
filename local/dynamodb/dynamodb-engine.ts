import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';

/** The embedded DynamoDB engine, listening on the loopback interface. */
export interface DynamoDbEngine {
  /** `http://127.0.0.1:<port>`: dynalite itself (no streams: the capture proxy goes in front of it). */
  readonly endpoint: string;
  close(): Promise<void>;
}

const WORKER = workerScript(__dirname, 'dynamodb-engine-worker');

/**
 * Starts dynalite in a worker thread (in memory, or persisted under `path`) and resolves once it listens on
 * `port` (0: a free one). A port already taken rejects with its `EADDRINUSE` code, as a listener here would.
 */
export async function startDynamoDbEngine(options: {
  readonly path?: string;
  readonly port: number;
}): Promise<DynamoDbEngine> {
  const worker = new Worker(WORKER, {
    workerData: { port: options.port, ...(options.path ? { path: options.path } : {}) },
    // The parent's flags (a test runner's, a debugger's) are not the engine's.
    execArgv: [],
  });
  type Started = { type: 'listening'; port: number } | { type: 'failed'; code?: string; message: string };
  const started = await new Promise<Started>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the DynamoDB engine exited with code ${code} before listening`)),
    );
    worker.once('message', resolve);
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  if (started.type === 'failed') {
    await worker.terminate();
    throw Object.assign(new Error(`the DynamoDB engine could not listen: ${started.message}`), {
      code: started.code,
    });
  }
  worker.on('error', (error) => process.stderr.write(`[dynamodb] engine error: ${error.message}\n`));
  return {
    endpoint: `http://127.0.0.1:${started.port}`,
    async close() {
      const stopped = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' });
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      await worker.terminate();
    },
  };
}
