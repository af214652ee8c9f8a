import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';
import { LambdaFunctionError } from './lambda-function-error';
import type { LocalFunction } from './local-function';
import type { EnvironmentSetup, LambdaErrorPayload, WorkerMessage } from './worker-protocol';

/** From source, Node runs the bootstrap with built-in type stripping; an installed package runs its build. */
const BOOTSTRAP = workerScript(__dirname, 'worker-bootstrap');

/** Lambda gives on-demand INIT up to 10 seconds, separately from the function timeout. */
const INIT_TIMEOUT_MS = 10_000;

/** What the environment needs beyond the function definition. */
export interface ExecutionEnvironmentProps {
  readonly fn: LocalFunction;
  /** Absolute code directory (LAMBDA_TASK_ROOT). */
  readonly taskRoot: string;
  /** The complete process.env of the worker. */
  readonly env: Readonly<Record<string, string>>;
  /** PEM certificates the function's TLS clients trust on top of the usual roots. @default none */
  readonly trustedCertificates?: readonly string[];
  /** Receives every complete output line of the function, without a trailing newline. */
  readonly onLogLine: (line: string) => void;
  /** Called once, when the worker has exited for whatever reason. */
  readonly onExit: (environment: ExecutionEnvironment) => void;
}

/** The result of one successful invocation. */
export interface InvocationOutcome {
  /** JSON text of the result. */
  readonly payload: string;
  readonly maxMemoryUsedMb: number;
}

/** One invocation's request to an environment. */
export interface InvocationRequest {
  readonly requestId: string;
  /** JSON text of the event. */
  readonly event: string;
  readonly invokedFunctionArn: string;
  /** See `InvokeMessage.traceRoot`. */
  readonly traceRoot?: string;
}

interface PendingInvocation {
  readonly requestId: string;
  readonly resolve: (outcome: InvocationOutcome) => void;
  readonly reject: (error: LambdaFunctionError) => void;
  readonly timer: NodeJS.Timeout;
}

/** Splits a stream of text into lines, holding back a trailing partial line until it completes or is flushed. */
class LineSplitter {
  private partial = '';
  constructor(private readonly emit: (line: string) => void) {}

  push(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.emit(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  flush(): void {
    if (this.partial === '') return;
    const line = this.partial;
    this.partial = '';
    this.emit(line);
  }
}

/**
 * A worker's uncaught error reaches the parent deserialized: Error-shaped but neither a native error nor
 * necessarily an instance of this realm's Error, so it is recognised by shape.
 */
function isErrorLike(
  value: unknown,
): value is { name: string; message: string; stack?: string; code?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * One Lambda execution environment: a worker thread with its own process.env and module instance, running
 * one invocation at a time. A timed-out or crashed environment is terminated and never reused.
 */
export class ExecutionEnvironment {
  /** Resolves with the INIT duration in milliseconds once the handler module is loaded; rejects if INIT fails. */
  readonly ready: Promise<number>;
  /** Set by the owner when the code changed: finish the current invocation, then terminate. */
  retired = false;
  private readonly worker: Worker;
  private readonly fn: LocalFunction;
  private readonly messages: LineSplitter;
  private readonly streams: LineSplitter;
  private alive = true;
  private terminating = false;
  private crash: unknown;
  private pending: PendingInvocation | undefined;
  private settleInit: ((error: LambdaFunctionError | undefined, initDurationMs: number) => void) | undefined;

  constructor(private readonly props: ExecutionEnvironmentProps) {
    this.fn = props.fn;
    this.messages = new LineSplitter(props.onLogLine);
    this.streams = new LineSplitter(props.onLogLine);
    const setup: EnvironmentSetup = {
      handler: props.fn.handler,
      taskRoot: props.taskRoot,
      functionName: props.fn.functionName,
      functionVersion: '$LATEST',
      memorySize: props.fn.memorySize,
      logGroupName: `/aws/lambda/${props.fn.functionName}`,
      logStreamName: logStreamName(),
      trustedCertificates: props.trustedCertificates ?? [],
    };
    this.ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failInit(
          'TimedOut',
          { errorType: 'Sandbox.Timedout', errorMessage: 'INIT phase timed out after 10.00 seconds' },
          true,
        );
      }, INIT_TIMEOUT_MS);
      this.settleInit = (error, initDurationMs) => {
        clearTimeout(timer);
        this.settleInit = undefined;
        if (error === undefined) resolve(initDurationMs);
        else reject(error);
      };
    });
    // Callers that never get to await (closed while cold) must not leave an unhandled rejection behind.
    this.ready.catch(() => undefined);
    this.worker = new Worker(BOOTSTRAP, {
      workerData: setup,
      env: { ...props.env },
      // The parent's flags (a test runner's, a debugger's) are not the function's.
      execArgv: [],
      stdout: true,
      stderr: true,
      // Lambda sizes the Node heap from the memory setting; exceeding it kills the environment.
      resourceLimits: { maxOldGenerationSizeMb: props.fn.memorySize },
    });
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => {
      this.crash = error;
    });
    this.worker.on('exit', (code) => this.onWorkerExit(code));
    this.worker.stdout.setEncoding('utf8').on('data', (text: string) => this.streams.push(text));
    this.worker.stderr.setEncoding('utf8').on('data', (text: string) => this.streams.push(text));
  }

  /** True while the worker runs (it may be busy). */
  get isAlive(): boolean {
    return this.alive && !this.terminating;
  }

  /**
   * Runs one invocation. Rejects with a {@link LambdaFunctionError}: `Unhandled` when the handler fails,
   * `TimedOut` after the function's timeout (the environment is then terminated), `Crashed` when the worker dies.
   */
  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    if (!this.isAlive || this.pending !== undefined) {
      return Promise.reject(new Error('execution environment is not available'));
    }
    const timeoutMs = this.fn.timeout * 1000;
    return new Promise<InvocationOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        const message = `Task timed out after ${this.fn.timeout.toFixed(2)} seconds`;
        this.pending = undefined;
        reject(
          new LambdaFunctionError(
            message,
            'TimedOut',
            { errorType: 'Sandbox.Timedout', errorMessage: message },
            request.requestId,
          ),
        );
        void this.terminate();
      }, timeoutMs);
      this.pending = { requestId: request.requestId, resolve, reject, timer };
      this.worker.ref();
      this.worker.postMessage({
        type: 'invoke',
        requestId: request.requestId,
        event: request.event,
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn: request.invokedFunctionArn,
        ...(request.traceRoot ? { traceRoot: request.traceRoot } : {}),
      });
    });
  }

  /** Prints a trailing partial line, so it is not held back past the invocation's END line. */
  flushLogs(): void {
    this.messages.flush();
    this.streams.flush();
  }

  /** Stops the worker; an invocation still running fails as `Crashed`. */
  async terminate(): Promise<void> {
    if (!this.alive) return;
    this.terminating = true;
    await this.worker.terminate();
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'log':
        this.messages.push(message.text);
        return;
      case 'ready':
        this.worker.unref();
        this.settleInit?.(undefined, message.initDurationMs);
        return;
      case 'init-error':
        this.failInit('Unhandled', message.error, false);
        return;
      case 'result':
      case 'error': {
        const pending = this.pending;
        if (pending === undefined || pending.requestId !== message.requestId) return;
        clearTimeout(pending.timer);
        this.pending = undefined;
        this.worker.unref();
        if (message.type === 'result') {
          pending.resolve({ payload: message.payload, maxMemoryUsedMb: message.maxMemoryUsedMb });
        } else {
          pending.reject(
            new LambdaFunctionError(
              message.error.errorMessage,
              'Unhandled',
              message.error,
              message.requestId,
            ),
          );
        }
        return;
      }
    }
  }

  private failInit(kind: 'Unhandled' | 'TimedOut', payload: LambdaErrorPayload, terminate: boolean): void {
    this.settleInit?.(new LambdaFunctionError(payload.errorMessage, kind, payload), 0);
    // An environment whose INIT failed is discarded; the next invocation starts a fresh one.
    if (terminate || kind === 'Unhandled') void this.terminate();
  }

  private onWorkerExit(code: number): void {
    this.alive = false;
    this.flushLogs();
    const payload = this.crashPayload(code);
    this.settleInit?.(new LambdaFunctionError(payload.errorMessage, 'Crashed', payload), 0);
    const pending = this.pending;
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      this.pending = undefined;
      pending.reject(new LambdaFunctionError(payload.errorMessage, 'Crashed', payload, pending.requestId));
    }
    this.props.onExit(this);
  }

  private crashPayload(code: number): LambdaErrorPayload {
    if (this.terminating) {
      return {
        errorType: 'Runtime.ExitError',
        errorMessage: 'Runtime exited: execution environment was shut down',
      };
    }
    const crash = this.crash;
    if (isErrorLike(crash)) {
      if (crash.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return {
          errorType: 'Runtime.OutOfMemory',
          errorMessage: 'Runtime exited with error: signal: killed',
        };
      }
      return {
        errorType: crash.name,
        errorMessage: `Runtime exited with error: ${crash.name}: ${crash.message}`,
        trace: (crash.stack ?? '').split('\n'),
      };
    }
    if (crash !== undefined) {
      return { errorType: typeof crash, errorMessage: `Runtime exited with error: ${String(crash)}` };
    }
    return { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: exit status ${code}` };
  }
}
