import { randomBytes } from 'node:crypto';
/**
 * The inside of one local Lambda execution environment: a worker thread that loads the function's handler
 * module once (INIT) and then runs one invocation at a time, as the Node.js runtime interface client does.
 *
 * Node runs this file directly with its built-in type stripping (no loader, no build step), so it uses only
 * erasable TypeScript and imports nothing but `node:` modules at run time.
 */
import { existsSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type {
  EnvironmentSetup,
  InvokeMessage,
  LambdaErrorPayload,
  WorkerMessage,
} from './worker-protocol.js';

/** Lambda's synchronous response limit, in bytes. */
const MAX_RESPONSE_BYTES = 6_291_556;
const MB = 1024 * 1024;

const port = parentPort;
if (port === null) throw new Error('worker-bootstrap must run inside a worker thread');
const setup = workerData as EnvironmentSetup;

function send(message: WorkerMessage): void {
  port?.postMessage(message);
}

/*
 * All output goes to the parent through the message port, the same ordered channel as results, so the
 * parent can print a function's lines before its END/REPORT lines. Console and direct stream writes
 * (Powertools Logger writes to process.stdout itself) both end up here.
 */
function forwardWrite(chunk: unknown, ...rest: unknown[]): boolean {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  send({ type: 'log', text });
  const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  callback?.();
  return true;
}
process.stdout.write = forwardWrite as typeof process.stdout.write;
process.stderr.write = forwardWrite as typeof process.stderr.write;

/** Lambda's text log format: timestamp, request id ("undefined" during INIT), level, message. */
let currentRequestId = 'undefined';
const consoleLevels = {
  log: 'INFO',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  debug: 'DEBUG',
  trace: 'TRACE',
};
const mutableConsole = console as unknown as Record<string, (...args: unknown[]) => void>;
for (const [method, level] of Object.entries(consoleLevels)) {
  mutableConsole[method] = (...args: unknown[]) => {
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}\n`);
  };
}

/*
 * Lambda lets ES modules import what NODE_PATH provides (the runtime's AWS SDK, layers), while Node's own
 * ESM resolution ignores NODE_PATH. So when a bare specifier is not found the usual way, it is looked up
 * again from each NODE_PATH directory.
 */
const nodePath = (process.env.NODE_PATH ?? '').split(delimiter).filter((dir) => dir !== '');
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const bare =
        !specifier.startsWith('.') && !isAbsolute(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);
      if (!bare || errorCode(error) !== 'ERR_MODULE_NOT_FOUND') throw error;
      for (const dir of nodePath) {
        try {
          return nextResolve(specifier, { ...context, parentURL: pathToFileURL(join(dir, 'index.js')).href });
        } catch {
          // Not in this directory; try the next one.
        }
      }
      throw error;
    }
  },
});

/*
 * The local cloud's own certificates (its https:// endpoints), trusted by this thread only, before any handler
 * code opens a connection. Without tls.setDefaultCACertificates (Node before 24.5) they stay untrusted, and a
 * function calling a local https:// URL gets a certificate error.
 */
if (setup.trustedCertificates.length > 0 && typeof tls.setDefaultCACertificates === 'function') {
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...setup.trustedCertificates]);
}

let maxHeapUsed = 0;
function maxMemoryUsedMb(): number {
  maxHeapUsed = Math.max(maxHeapUsed, getHeapStatistics().used_heap_size);
  return Math.ceil(maxHeapUsed / MB);
}

/** An error the runtime itself raises, with Lambda's `Runtime.*` error type. */
class RuntimeError extends Error {
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.errorType = errorType;
  }
}

function toErrorPayload(error: unknown): LambdaErrorPayload {
  if (error instanceof RuntimeError) return { errorType: error.errorType, errorMessage: error.message };
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  if (typeof error === 'string') return { errorType: 'string', errorMessage: error };
  return { errorType: typeof error, errorMessage: format('%j', error) };
}

type Handler = (event: unknown, context: Record<string, unknown>, callback: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;

/** Splits `dir/file.export.path` the way the Node.js runtime does: module up to the first dot of the last segment. */
function locateHandler(handler: string, taskRoot: string): { file: string; exportPath: string[] } {
  const slash = handler.lastIndexOf('/');
  const moduleAndExport = handler.slice(slash + 1);
  const dot = moduleAndExport.indexOf('.');
  if (dot <= 0 || dot === moduleAndExport.length - 1) {
    throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  }
  const moduleName = handler.slice(0, slash + 1) + moduleAndExport.slice(0, dot);
  const base = resolve(taskRoot, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  }
  return { file, exportPath: moduleAndExport.slice(dot + 1).split('.') };
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  if (file.endsWith('.mjs')) return import(url);
  try {
    return createRequire(file)(file);
  } catch (error) {
    // A `.js` file in a `"type": "module"` package (or with top-level await) only loads through import().
    const code = errorCode(error);
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return import(url);
    throw error;
  }
}

function lookup(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

async function loadHandler(): Promise<Handler> {
  const { file, exportPath } = locateHandler(setup.handler, setup.taskRoot);
  let moduleValue: unknown;
  try {
    moduleValue = await importModule(file);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    }
    if (errorCode(error) === 'MODULE_NOT_FOUND' || errorCode(error) === 'ERR_MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', String(error));
    }
    throw error;
  }
  // A CommonJS module loaded through import() exposes module.exports as `default`.
  const handler = lookup(moduleValue, exportPath) ?? lookup(lookup(moduleValue, ['default']), exportPath);
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${setup.handler} is undefined or not exported`);
  }
  return handler as Handler;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Runs an async handler or a callback-style one; whichever of promise and callback settles first wins. */
function runHandler(handler: Handler, event: unknown, context: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolvePromise, rejectPromise) => {
    let settled = false;
    const settle: Callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) rejectPromise(error);
      else resolvePromise(result);
    };
    context.done = settle;
    context.succeed = (result: unknown) => settle(null, result);
    context.fail = (error: unknown) => settle(error ?? new Error('handled'));
    const returned = handler(event, context, settle);
    if (isThenable(returned)) {
      returned.then(
        (result) => settle(null, result),
        (error: unknown) => settle(error ?? new Error('Promise rejected without a reason')),
      );
    } else if (handler.length < 3) {
      settle(null, returned);
    }
  });
}

function buildContext(message: InvokeMessage): Record<string, unknown> {
  return {
    awsRequestId: message.requestId,
    functionName: setup.functionName,
    functionVersion: setup.functionVersion,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: String(setup.memorySize),
    logGroupName: setup.logGroupName,
    logStreamName: setup.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
}

/**
 * An X-Ray trace header like the one Lambda's runtime puts in `_X_AMZN_TRACE_ID` before each invocation, so
 * tracing code (the X-Ray SDK, Powertools Tracer) finds a context as it does in AWS. `Sampled=0`: nothing collects
 * traces locally, so nothing is sent.
 */
function traceHeader(root: string | undefined): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=${root ?? `1-${epoch}-${randomBytes(12).toString('hex')}`};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  process.env._X_AMZN_TRACE_ID = traceHeader(message.traceRoot);
  try {
    const result = await runHandler(handler, JSON.parse(message.event), buildContext(message));
    const payload = JSON.stringify(result) ?? 'null';
    if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
      throw new RuntimeError(
        'Function.ResponseSizeTooLarge',
        `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      );
    }
    send({ type: 'result', requestId: message.requestId, payload, maxMemoryUsedMb: maxMemoryUsedMb() });
  } catch (error) {
    const payload = toErrorPayload(error);
    console.error('Invoke Error \t%s', JSON.stringify(payload));
    send({ type: 'error', requestId: message.requestId, error: payload, maxMemoryUsedMb: maxMemoryUsedMb() });
  }
}

const initStart = performance.now();
try {
  const handler = await loadHandler();
  port.on('message', (message: InvokeMessage) => {
    void invoke(handler, message);
  });
  send({ type: 'ready', initDurationMs: performance.now() - initStart });
} catch (error) {
  const payload = toErrorPayload(error);
  console.error('Init Error \t%s', JSON.stringify(payload));
  send({ type: 'init-error', initDurationMs: performance.now() - initStart, error: payload });
}
