/**
 * Runs fauxqs (an in-process SQS emulator, ESM-only) in its own thread, so the local cloud can host it from
 * any module system (CommonJS under a test runner included) and its timers never compete with the gateway's.
 * Runs under Node's type stripping: erasable TypeScript only.
 */
import { Server } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { startFauxqs } from 'fauxqs';

// fauxqs always binds 0.0.0.0; the local cloud serves the loopback interface only, so nothing on the network
// can reach its queues. This thread runs nothing but fauxqs, and a worker has its own copy of node:net.
const listen = Server.prototype.listen;
Server.prototype.listen = function loopbackOnly(this: Server, ...args: unknown[]) {
  const [first] = args;
  if (typeof first === 'object' && first !== null && (first as { host?: string }).host === '0.0.0.0') {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return (listen as (...a: unknown[]) => Server).apply(this, args);
} as typeof Server.prototype.listen;

interface EngineSetup {
  readonly region: string;
  readonly dataDir?: string;
  readonly port?: number;
}

const setup = workerData as EngineSetup;
const server = await startFauxqs({
  port: setup.port ?? 0,
  logger: false,
  defaultRegion: setup.region,
  ...(setup.dataDir ? { dataDir: setup.dataDir } : {}),
});
parentPort?.postMessage({ type: 'listening', port: server.port });
parentPort?.on('message', async (message: { type: string }) => {
  if (message.type !== 'stop') return;
  await server.stop();
  parentPort?.postMessage({ type: 'stopped' });
});
