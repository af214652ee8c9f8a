import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { functionArnOfInvocationUri } from '../gateway/lambda-integration-uri';
import type { LogSink } from '../log-sink';
import { type LambdaInvoker, LambdaRequestTooLargeError, MAX_SYNC_PAYLOAD_BYTES } from '../model';
import { currentTraceRoot, noteInvocation } from '../request-records';
import { ExecutionEnvironment, type InvocationOutcome } from './execution-environment';
import { type FunctionLogs, InvocationLog } from './function-log-filter';
import { LambdaFunctionError } from './lambda-function-error';
import type { LocalFunction } from './local-function';
import { linkProvidedModules } from './provided-modules';

/** Per-invocation measurements, as Lambda's REPORT line and metrics would give them. */
export interface InvocationReport {
  readonly functionName: string;
  readonly requestId: string;
  /** True when this invocation had to start (INIT) a new execution environment. */
  readonly coldStart: boolean;
  /** Handler run time, INIT excluded. */
  readonly durationMs: number;
  /** INIT duration on a cold start. */
  readonly initDurationMs?: number;
  /** `success`, or the kind of function error. */
  readonly outcome: 'success' | LambdaFunctionError['errorType'];
}

/** How the runtime runs functions. */
export interface LambdaRuntimeOptions {
  /**
   * Variables every function gets on top of its own Environment.Variables (and overriding them), e.g.
   * `AWS_REGION`, credentials and `AWS_ENDPOINT_URL_*` pointing at local services.
   * @default {}
   */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /**
   * Variables of one function that no function may override, after `extraEnv`: its role's credentials
   * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), as Lambda sets them per function.
   * @default none
   */
  readonly envOf?: (fn: LocalFunction) => Readonly<Record<string, string>>;
  /**
   * Execution environments per function; further concurrent invocations queue until one is free.
   * @default 4
   */
  readonly maxConcurrencyPerFunction?: number;
  /** @default process.stdout */
  readonly log?: LogSink;
  /**
   * `warnings`: only a function's WARN and ERROR entries, and the whole output of an invocation that fails (the
   * command line's default); `all`: everything, START/END/REPORT included.
   * @default 'all'
   */
  readonly functionLogs?: FunctionLogs;
  /** Called after every invocation, whatever its outcome. */
  readonly onInvoke?: (report: InvocationReport) => void;
  /**
   * Directories searched for bare `require`s and imports the code does not bundle (layers, say), put on
   * NODE_PATH before the provided SDK and the task root.
   * @default []
   */
  readonly nodePath?: readonly string[];
  /**
   * Provide the AWS SDK for JavaScript v3 (`@aws-sdk/*`, `@smithy/*`) on NODE_PATH, as Lambda's Node.js
   * runtimes do: from the app's installation first (see `appDir`), then from the local cloud's own.
   * @default true
   */
  readonly provideAwsSdk?: boolean;
  /** The CDK app's directory, whose `node_modules` provide the AWS SDK before the local cloud's. @default none */
  readonly appDir?: string;
  /**
   * PEM certificates functions' TLS clients trust besides the usual roots (the local cloud's loopback
   * certificate), set in each worker thread only. @default none
   */
  readonly trustedCertificates?: readonly string[];
}

/** A {@link LambdaInvoker} that owns worker threads. */
export interface LambdaRuntime extends LambdaInvoker {
  /**
   * Invokes by unqualified or qualified function ARN, function name, or API Gateway integration URI
   * (`arn:aws:apigateway:…:lambda:path/2015-03-31/functions/{arn}/invocations`). Resolves with the
   * JSON-round-tripped result; rejects with {@link LambdaFunctionError} on a function error.
   */
  invoke(functionArn: string, event: unknown): Promise<unknown>;
  /**
   * Takes new definitions (after a re-synth: new asset directories, environment, memory or timeout) for
   * functions by ARN; functions whose definition changed start fresh environments from the new code, and
   * unknown ARNs are added. Resolves to the names of the functions that changed.
   */
  update(functions: readonly LocalFunction[]): Promise<string[]>;
  /**
   * Serves the functions whose code is in a directory named by `moves` from the directory it maps to (a bundle
   * rebuilt without a synth): their environments are replaced as `update` replaces them, the others keep theirs.
   * Resolves to the names of the functions that changed.
   */
  refreshCode(moves: ReadonlyMap<string, string>): Promise<string[]>;
  /** The directories on every function's NODE_PATH that provide the AWS SDK, in lookup order. */
  readonly providedModuleDirs: readonly string[];
  /** Stops every worker and rejects queued invocations; the runtime cannot be used afterwards. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CONCURRENCY = 4;
const LATEST = '$LATEST';

interface Lease {
  readonly environment: ExecutionEnvironment;
  readonly cold: boolean;
}

interface Waiter {
  readonly resolve: (lease: Lease) => void;
  readonly reject: (error: Error) => void;
}

/** The execution environments of one function, at most `maxConcurrency` of them, idle ones reused last-in first-out. */
class FunctionPool {
  private readonly environments = new Set<ExecutionEnvironment>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiters: Waiter[] = [];
  /** Where each environment's output goes: its current invocation's log, or one that holds nothing back. */
  private readonly outputs = new Map<ExecutionEnvironment, InvocationLog>();
  private closed = false;

  constructor(
    readonly fn: LocalFunction,
    private readonly taskRoot: string,
    private readonly env: Readonly<Record<string, string>>,
    private readonly trustedCertificates: readonly string[],
    private readonly maxConcurrency: number,
    private readonly output: (hold: boolean) => InvocationLog,
  ) {}

  /** The output of the environment's next invocation, until `endInvocation`. */
  beginInvocation(environment: ExecutionEnvironment): InvocationLog {
    const log = this.output(true);
    this.outputs.set(environment, log);
    return log;
  }

  /** Output after the invocation (work the handler left running) is filtered with nothing held back. */
  endInvocation(environment: ExecutionEnvironment): void {
    if (this.outputs.has(environment)) this.outputs.set(environment, this.output(false));
  }

  acquire(): Promise<Lease> {
    if (this.closed) return Promise.reject(new Error('the local Lambda runtime is closed'));
    const warm = this.idle.pop();
    if (warm !== undefined) return Promise.resolve({ environment: warm, cold: false });
    if (this.environments.size < this.maxConcurrency) return Promise.resolve(this.startEnvironment());
    return new Promise<Lease>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  release(environment: ExecutionEnvironment): void {
    // A dead environment was already removed by its exit handler, which also served the queue.
    if (!environment.isAlive) return;
    if (environment.retired || this.closed) {
      void environment.terminate();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve({ environment, cold: false });
    else this.idle.push(environment);
  }

  /** Stops idle environments now and busy ones after their current invocation (the code changed). */
  async retire(): Promise<void> {
    for (const environment of this.environments) environment.retired = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((environment) => environment.terminate()));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0))
      waiter.reject(new Error('the local Lambda runtime is closed'));
    this.idle.length = 0;
    await Promise.all([...this.environments].map((environment) => environment.terminate()));
  }

  private startEnvironment(): Lease {
    const environment = new ExecutionEnvironment({
      fn: this.fn,
      taskRoot: this.taskRoot,
      env: this.env,
      trustedCertificates: this.trustedCertificates,
      onLogLine: (line) => this.outputs.get(environment)?.line(line),
      onExit: (gone) => this.onExit(gone),
    });
    this.outputs.set(environment, this.output(false));
    this.environments.add(environment);
    return { environment, cold: true };
  }

  private onExit(environment: ExecutionEnvironment): void {
    this.environments.delete(environment);
    this.outputs.delete(environment);
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
    // The freed slot goes to the oldest queued invocation, as a cold start.
    const waiter = this.closed ? undefined : this.waiters.shift();
    if (waiter !== undefined) waiter.resolve(this.startEnvironment());
  }
}

/** `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations` → `{functionArn}`. */
function functionArnFromTarget(target: string): string {
  return functionArnOfInvocationUri(target) ?? target;
}

/** A function ARN or name split into the function it names and the alias or version it qualifies it with. */
function splitQualifier(target: string): { readonly functionRef: string; readonly qualifier?: string } {
  const arn = /^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+)(?::([^:]+))?$/.exec(target);
  if (arn?.[1] !== undefined) return { functionRef: arn[1], ...(arn[2] ? { qualifier: arn[2] } : {}) };
  const colon = target.indexOf(':');
  return colon >= 0
    ? { functionRef: target.slice(0, colon), qualifier: target.slice(colon + 1) }
    : { functionRef: target };
}

function materializeInlineCode(fn: LocalFunction, tempRoot: () => string): string {
  if ('directory' in fn.code) return fn.code.directory;
  // CloudFormation writes inline Node.js code to index.js (the handler is then `index.<export>`).
  const directory = join(tempRoot(), fn.functionName);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'index.js'), fn.code.zipFile);
  return directory;
}

function functionEnv(
  fn: LocalFunction,
  taskRoot: string,
  nodePath: readonly string[],
  options: LambdaRuntimeOptions,
): Readonly<Record<string, string>> {
  return {
    ...fn.environment,
    ...options.extraEnv,
    ...options.envOf?.(fn),
    // Reserved variables: Lambda sets these itself and functions cannot override them.
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: taskRoot,
    NODE_PATH: [...nodePath, taskRoot].join(delimiter),
    _HANDLER: fn.handler,
    TZ: 'UTC',
  };
}

/** Lambda adds a status to REPORT only when the runtime itself failed: a timeout or a crash. */
function reportStatus(failure: LambdaFunctionError | undefined): string[] {
  if (failure?.errorType === 'TimedOut') return ['Status: timeout'];
  if (failure?.errorType === 'Crashed') return ['Status: error', `Error Type: ${failure.payload.errorType}`];
  return [];
}

/** What Lambda returns (as a function error) when a handler's result exceeds the synchronous limit. */
function responseTooLarge(): LambdaFunctionError {
  const errorMessage = `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`;
  return new LambdaFunctionError(errorMessage, 'Unhandled', {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage,
  });
}

function formatMs(ms: number): string {
  return ms.toFixed(2);
}

/**
 * Starts a local Lambda runtime for Node.js functions: each execution environment is a worker thread with
 * the function's own environment variables and module instance; environments are reused while warm, capped
 * per function, replaced after a timeout or crash. Workers start on first use (cold start).
 */
export function createLambdaRuntime(
  functions: readonly LocalFunction[],
  options: LambdaRuntimeOptions = {},
): LambdaRuntime {
  const sink = options.log ?? process.stdout;
  const maxConcurrency = options.maxConcurrencyPerFunction ?? DEFAULT_MAX_CONCURRENCY;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
    throw new Error(`maxConcurrencyPerFunction must be a positive integer, got ${maxConcurrency}`);
  }
  let inlineRoot: string | undefined;
  const tempRoot = (): string => {
    inlineRoot ??= mkdtempSync(join(tmpdir(), 'local-lambda-'));
    return inlineRoot;
  };
  const providedModuleDirs =
    options.provideAwsSdk === false
      ? []
      : linkProvidedModules(join(tempRoot(), 'runtime'), {
          ...(options.appDir === undefined ? {} : { appDir: options.appDir }),
        });
  const nodePath = [...(options.nodePath ?? []), ...providedModuleDirs];

  const pools = new Map<string, FunctionPool>();
  const byName = new Map<string, FunctionPool>();
  /** Pools replaced by `update`, finishing their last invocations; closed with the runtime. */
  const draining = new Set<FunctionPool>();
  const createPool = (fn: LocalFunction): FunctionPool => {
    const taskRoot = materializeInlineCode(fn, tempRoot);
    const prefix = `[${fn.functionName}] `;
    const write = (line: string): void => {
      sink.write(`${prefix}${line}\n`);
    };
    const pool = new FunctionPool(
      fn,
      taskRoot,
      functionEnv(fn, taskRoot, nodePath, options),
      options.trustedCertificates ?? [],
      maxConcurrency,
      (hold) => new InvocationLog(options.functionLogs ?? 'all', write, hold),
    );
    pools.set(fn.arn, pool);
    byName.set(fn.functionName, pool);
    return pool;
  };
  for (const fn of functions) {
    if (pools.has(fn.arn)) throw new Error(`function ${fn.arn} is defined twice`);
    createPool(fn);
  }
  let closed = false;

  /**
   * The one place a target becomes a function: an API Gateway integration URI, an unqualified or qualified ARN,
   * or a (qualified) name. A qualified target must name an alias or version the function has (as Lambda answers
   * ResourceNotFound otherwise); the context's invokedFunctionArn is the ARN as the caller qualified it.
   */
  function resolveTarget(target: string): {
    readonly pool: FunctionPool;
    readonly version: string;
    readonly invokedFunctionArn: string;
  } {
    const functionArn = functionArnFromTarget(target);
    const { functionRef, qualifier } = splitQualifier(functionArn);
    const pool = pools.get(functionRef) ?? byName.get(functionRef);
    if (pool === undefined) throw new Error(`no local Lambda function matches ${target}`);
    const { fn } = pool;
    if (qualifier === undefined) return { pool, version: LATEST, invokedFunctionArn: fn.arn };
    const version =
      qualifier === LATEST ? LATEST : (fn.qualifiers?.[qualifier] ?? (fn.qualifiers ? undefined : LATEST));
    if (version === undefined) {
      const known = [LATEST, ...Object.keys(fn.qualifiers ?? {})].join(', ');
      throw new Error(
        `no local Lambda function matches ${target}: ${fn.functionName} has no alias or version '${qualifier}' (it has ${known})`,
      );
    }
    return { pool, version, invokedFunctionArn: `${fn.arn}:${qualifier}` };
  }

  async function invoke(target: string, event: unknown): Promise<unknown> {
    if (closed) throw new Error('the local Lambda runtime is closed');
    const { pool, version, invokedFunctionArn } = resolveTarget(target);
    const { fn } = pool;
    const eventJson = JSON.stringify(event) ?? 'null';
    const eventBytes = Buffer.byteLength(eventJson);
    // Lambda refuses the Invoke call before any environment is involved.
    if (eventBytes > MAX_SYNC_PAYLOAD_BYTES) throw new LambdaRequestTooLargeError(eventBytes);
    const requestId = randomUUID();
    noteInvocation(fn.functionName);
    const traceRoot = currentTraceRoot();
    const { environment, cold } = await pool.acquire();
    const output = pool.beginInvocation(environment);
    const log = (line: string): void => output.platform(line);

    let initDurationMs: number | undefined;
    let outcome: InvocationOutcome | undefined;
    let failure: LambdaFunctionError | undefined;
    let durationMs = 0;
    try {
      if (cold) {
        log(`INIT_START Runtime Version: ${fn.runtime}`);
        initDurationMs = await environment.ready;
      }
      log(`START RequestId: ${requestId} Version: ${version}`);
      const started = performance.now();
      try {
        outcome = await environment.invoke({ requestId, event: eventJson, invokedFunctionArn, traceRoot });
        if (Buffer.byteLength(outcome.payload) > MAX_SYNC_PAYLOAD_BYTES) throw responseTooLarge();
      } finally {
        durationMs = performance.now() - started;
      }
    } catch (error) {
      if (!(error instanceof LambdaFunctionError)) throw error;
      failure = new LambdaFunctionError(error.message, error.errorType, error.payload, requestId);
    } finally {
      environment.flushLogs();
      pool.endInvocation(environment);
      pool.release(environment);
      // Not a function error but the runtime's own: no END/REPORT follows, so what was held back is printed now.
      if (outcome === undefined && failure === undefined) output.end(true);
    }

    if (failure?.errorType === 'TimedOut') {
      log(`${new Date().toISOString()} ${requestId} ${failure.message}`);
    }
    log(`END RequestId: ${requestId}`);
    const report = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${formatMs(durationMs)} ms`,
      `Billed Duration: ${Math.ceil(durationMs)} ms`,
      `Memory Size: ${fn.memorySize} MB`,
      `Max Memory Used: ${outcome?.maxMemoryUsedMb ?? 0} MB`,
      ...(initDurationMs === undefined ? [] : [`Init Duration: ${formatMs(initDurationMs)} ms`]),
      ...reportStatus(failure),
    ];
    log(report.join('\t'));
    output.end(failure !== undefined);
    options.onInvoke?.({
      functionName: fn.functionName,
      requestId,
      coldStart: cold,
      durationMs,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      outcome: failure?.errorType ?? 'success',
    });

    if (failure !== undefined) throw failure;
    if (outcome === undefined) throw new Error('invocation finished without an outcome');
    return JSON.parse(outcome.payload);
  }

  /** See LambdaRuntime.update. */
  async function update(next: readonly LocalFunction[]): Promise<string[]> {
    const changed: string[] = [];
    for (const fn of next) {
      const current = pools.get(fn.arn);
      if (current !== undefined && JSON.stringify(current.fn) === JSON.stringify(fn)) continue;
      // New invocations go to a fresh pool with the new code; the old one drains: idle environments stop
      // now, busy ones after their current invocation.
      createPool(fn);
      if (current !== undefined) {
        draining.add(current);
        await current.retire();
      }
      changed.push(fn.functionName);
    }
    return changed;
  }

  return {
    invoke,
    providedModuleDirs,
    update,
    async refreshCode(moves: ReadonlyMap<string, string>): Promise<string[]> {
      const next = [...pools.values()].flatMap(({ fn }) => {
        const to = 'directory' in fn.code ? moves.get(fn.code.directory) : undefined;
        return to === undefined ? [] : [{ ...fn, code: { directory: to } }];
      });
      return update(next);
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...pools.values(), ...draining].map((pool) => pool.close()));
      if (inlineRoot !== undefined) rmSync(inlineRoot, { recursive: true, force: true });
    },
  };
}
