/**
 * Contracts between the parts of the local cloud. Nothing here knows saas-orders: the local cloud serves
 * any CDK app's cdk.out within its supported subset.
 */

/** One resource of a synthesized stack, with every intrinsic in its properties already resolved. */
export interface LocalResource {
  readonly stackName: string;
  readonly logicalId: string;
  /** CloudFormation type, e.g. `AWS::Lambda::Function`. */
  readonly type: string;
  /** What `Ref` resolves to locally (a generated name or id, stable across restarts of the same cdk.out). */
  readonly physicalId: string;
  /** Properties with Ref/GetAtt/Join/Sub/Select/Split/ImportValue resolved to local values. */
  readonly properties: Record<string, unknown>;
  /** Attributes `Fn::GetAtt` can read (e.g. `Arn`, `ProviderURL`, `StreamArn`). */
  readonly attributes: Record<string, string>;
}

/** The whole app as the local cloud sees it. */
export interface LocalCloudModel {
  readonly region: string;
  readonly accountId: string;
  readonly resources: readonly LocalResource[];
  /** Resolved stack outputs, by stack name then output name (optional so hand-built models can omit it). */
  readonly outputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Thrown by a `LambdaInvoker` when the function throws, times out or crashes (API Gateway answers 502). */
export class LambdaInvocationError extends Error {
  constructor(
    message: string,
    readonly errorType: 'Unhandled' | 'TimedOut' | 'Crashed',
  ) {
    super(message);
    this.name = 'LambdaInvocationError';
  }
}

/**
 * Lambda's synchronous invocation payload limit, each way. AWS documents 6 MB and enforces 6,291,556 bytes
 * (the figure its `RequestEntityTooLargeException` and `Function.ResponseSizeTooLarge` messages quote).
 */
export const MAX_SYNC_PAYLOAD_BYTES = 6_291_556;

/**
 * Thrown by a `LambdaInvoker` when the event exceeds {@link MAX_SYNC_PAYLOAD_BYTES}: Lambda refuses the Invoke
 * call itself (413 `RequestEntityTooLargeException`), so the function never runs. Not a function error:
 * API Gateway answers 413 `Request Too Long` rather than 502.
 */
export class LambdaRequestTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`);
    this.name = 'RequestEntityTooLargeException';
  }
}

/** Runs a function by its ARN (as integrations and authorizers name it) and returns its JSON result. */
export interface LambdaInvoker {
  invoke(functionArn: string, event: unknown): Promise<unknown>;
}

/** A JSON-able request as the REST/HTTP emulators see it before building a Lambda event. */
export interface IncomingRequest {
  readonly method: string;
  /** Path without the stage prefix and without the query string, e.g. `/orders/123`. */
  readonly path: string;
  /** Header names lowercased; repeated headers keep every value in order. */
  readonly headers: Record<string, string[]>;
  /** Query parameters, each name with every value in order. */
  readonly query: Record<string, string[]>;
  readonly body: Buffer;
  readonly sourceIp: string;
}
