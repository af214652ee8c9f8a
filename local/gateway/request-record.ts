/**
 * One request a gateway answered, as the request log shows it: emitted once per request, after the response
 * is built. `authorizerCache` is set when a Lambda authorizer with a result cache decided (`hit` when its
 * cached policy did); `stageCache` when the method is stage-cached (`hit` when served from the cache).
 */
export interface GatewayRequestRecord {
  /** The API's name (its `Name`, else its logical id). */
  readonly api: string;
  /** The API's id, as in its execute-api URL. */
  readonly apiId: string;
  readonly stage: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path after the stage, e.g. `/catalog/sku-1`. */
  readonly path: string;
  readonly status: number;
  /** Milliseconds from the request's arrival to its response. */
  readonly ms: number;
  /** The name of the function the integration invoked, when it was a Lambda integration that ran. */
  readonly function?: string;
  readonly authorizerCache?: 'hit' | 'miss';
  readonly stageCache?: 'hit' | 'miss';
}

/** Receives every request record (the CLI's one line per request). */
export type RequestListener = (record: GatewayRequestRecord) => void;
