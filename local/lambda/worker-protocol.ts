/**
 * Messages between the local Lambda runtime (parent thread) and one execution environment (a worker thread
 * running worker-bootstrap.mts). Types only: the bootstrap runs under Node's type stripping and imports
 * nothing at run time from the parent's modules.
 */

/** The error document Lambda returns for a function error (`X-Amz-Function-Error`). */
export interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** Fixed for the life of one execution environment; given to the worker as `workerData`. */
export interface EnvironmentSetup {
  /** Lambda handler setting, e.g. `index.handler` or `dist/api.main`. */
  readonly handler: string;
  /** Absolute directory the handler path is relative to (LAMBDA_TASK_ROOT). */
  readonly taskRoot: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memorySize: number;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /**
   * PEM certificates the function's TLS clients trust besides the usual roots: the local cloud's loopback
   * certificate, so `https://` URLs of local endpoints verify (NODE_EXTRA_CA_CERTS is read once per process,
   * so a worker cannot be given it through its environment).
   */
  readonly trustedCertificates: readonly string[];
}

/** Parent → worker: run the handler once. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  /** The event, JSON-encoded as Lambda receives it. */
  readonly event: string;
  /** Epoch milliseconds when the invocation times out (getRemainingTimeInMillis counts down to it). */
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  /**
   * The X-Ray trace root of the request that caused this invocation (`1-<epoch>-<24 hex>`), so the calls the
   * function makes carry it (the SDK's recursion-detection middleware copies `_X_AMZN_TRACE_ID` into each call's
   * `X-Amzn-Trace-Id`) and the local cloud can count them per request. A fresh root when absent.
   */
  readonly traceRoot?: string;
}

/** Worker → parent messages. Everything a worker says, logs included, travels on one ordered channel. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly initDurationMs: number }
  | { readonly type: 'init-error'; readonly initDurationMs: number; readonly error: LambdaErrorPayload }
  | { readonly type: 'log'; readonly text: string }
  | {
      readonly type: 'result';
      readonly requestId: string;
      /** JSON text of the handler's result (`null` when it returned nothing). */
      readonly payload: string;
      readonly maxMemoryUsedMb: number;
    }
  | {
      readonly type: 'error';
      readonly requestId: string;
      readonly error: LambdaErrorPayload;
      readonly maxMemoryUsedMb: number;
    };
