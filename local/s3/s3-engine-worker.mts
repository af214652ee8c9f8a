/**
 * Runs fauxqs (SQS/SNS/S3 emulator, ESM-only; only its S3 part is used here) in its own thread, so the local
 * cloud can host it from any module system and its timers never compete with the gateway's.
 * Runs under Node's type stripping: erasable TypeScript only.
 */
import * as nodeModule from 'node:module';
import { Server } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

// fauxqs always binds 0.0.0.0; the local cloud serves the loopback interface only, so nothing on the network
// can reach its buckets. This thread runs nothing but fauxqs, and a worker has its own copy of node:net.
const listen = Server.prototype.listen;
Server.prototype.listen = function loopbackOnly(this: Server, ...args: unknown[]) {
  const [first] = args;
  if (typeof first === 'object' && first !== null && (first as { host?: string }).host === '0.0.0.0') {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return (listen as (...a: unknown[]) => Server).apply(this, args);
} as typeof Server.prototype.listen;

/** S3's PutObject limit (5 GiB); fauxqs caps every request body at 11 MiB, sized for SQS and multipart parts. */
const S3_MAX_BODY = 5 * 1024 ** 3;
const FAUXQS_BODY_LIMIT = 'bodyLimit: 11 * 1_048_576';

// fauxqs takes no body-limit option, so its app module is loaded with S3's limit in place of its own (an
// in-thread load hook, Node ≥ 22.15). Without the hook, or if fauxqs changes the line, bodies above 11 MiB
// are refused and the parent is told so.
let bodyLimit = 11 * 1_048_576;
const registerHooks = (nodeModule as { registerHooks?: (hooks: object) => unknown }).registerHooks;
registerHooks?.({
  load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => { source?: unknown }) {
    const loaded = nextLoad(url, context);
    if (!/[\\/]fauxqs[\\/]dist[\\/]app\.js$/.test(url)) return loaded;
    const source = String(loaded.source);
    if (!source.includes(FAUXQS_BODY_LIMIT)) return loaded;
    bodyLimit = S3_MAX_BODY;
    return { ...loaded, source: source.replace(FAUXQS_BODY_LIMIT, `bodyLimit: ${S3_MAX_BODY}`) };
  },
});

interface EngineSetup {
  readonly region: string;
  /** Where objects are kept as files (`--persist`); in memory without it. */
  readonly storageDir?: string;
  readonly port?: number;
}

const { startFauxqs } = await import('fauxqs');
const setup = workerData as EngineSetup;
const server = await startFauxqs({
  port: setup.port ?? 0,
  logger: false,
  defaultRegion: setup.region,
  ...(setup.storageDir ? { s3StorageDir: setup.storageDir } : {}),
});
parentPort?.postMessage({ type: 'listening', port: server.port, bodyLimit });
parentPort?.on('message', async (message: { type: string }) => {
  if (message.type !== 'stop') return;
  await server.stop();
  parentPort?.postMessage({ type: 'stopped' });
});
