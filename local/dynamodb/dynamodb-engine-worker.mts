/**
 * Runs dynalite (the embedded DynamoDB engine) in its own thread, so its request parsing, expression evaluation
 * and storage work do not share the event loop of the gateways and the stream capture in front of it.
 * Runs under Node's type stripping: erasable TypeScript only.
 */
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

interface EngineSetup {
  /** LevelDB directory (`--persist`); in memory without it. */
  readonly path?: string;
  readonly port: number;
}

const setup = workerData as EngineSetup;
const engine = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(setup.path ? { path: setup.path } : {}),
});
engine.once('error', (error: NodeJS.ErrnoException) =>
  parentPort?.postMessage({ type: 'failed', code: error.code, message: error.message }),
);
engine.listen(setup.port, '127.0.0.1', () =>
  parentPort?.postMessage({ type: 'listening', port: (engine.address() as AddressInfo).port }),
);
parentPort?.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  engine.closeAllConnections();
  // dynalite's close also closes its LevelDB store, so a persisted engine is whole on disk after it.
  engine.close(() => parentPort?.postMessage({ type: 'stopped' }));
});
