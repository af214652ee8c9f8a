/**
 * One record per request a gateway serves (REST, HTTP, WebSocket), for the command line's one-line request log.
 *
 * A gateway opens a trace around each request (`recordedListener` for an HTTP listener, `traceRequest` for anything
 * else); whatever runs inside it — the Lambda runtime, an authorizer's cache, the stage cache — adds what it knows with
 * the `note…` functions below, through `AsyncLocalStorage`, so none of them needs a handle on the request and a
 * gateway's only edit is opening the trace. Outside a trace (a stream poller, a test calling `handle` directly) every
 * `note…` is a no-op.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Whether a cache answered. */
export type CacheOutcome = 'hit' | 'miss';

/** Which gateway served a request. */
export type GatewayKind = 'REST API' | 'HTTP API' | 'WebSocket API';

/** One request a gateway served. */
export interface RequestRecord {
  readonly kind: GatewayKind;
  /** The API's name (the template's `Name`, else its logical id). */
  readonly api: string;
  /** The HTTP method, or for a WebSocket message the route key (`$connect`, `sendMessage`). */
  readonly method: string;
  /** The path as requested (stage included), without the query string. */
  readonly path: string;
  /** The HTTP status answered (101 for an accepted WebSocket handshake). */
  readonly status: number;
  readonly durationMs: number;
  /** The functions the request invoked, the authorizer's excepted, in order. */
  readonly functions: readonly string[];
  /** Set when a Lambda authorizer decided: whether its cached result answered, and its function when it ran. */
  readonly authorizer?: { readonly cache: CacheOutcome; readonly functionName?: string };
  /** Set when the stage cache was consulted. */
  readonly stageCache?: CacheOutcome;
  /**
   * The calls made to emulated services while the request ran (its functions', its integration's), in order —
   * matched by the X-Ray trace root the request's invocations carry (see {@link noteServiceCall}).
   */
  readonly calls: readonly ServiceCall[];
}

/** One call to an emulated service made on behalf of a request. */
export interface ServiceCall {
  /** The service as AWS names it in actions (`dynamodb`, `sqs`, …). */
  readonly service: string;
  /** The API operation (`Query`, `SendMessage`, …). */
  readonly operation: string;
}

/** Receives every request record (the CLI prints them; `startLocalCloud`'s default writes a plain line). */
export type RequestRecorder = (record: RequestRecord) => void;

/** What a gateway knows when a request starts. */
export interface RequestStart {
  readonly kind: GatewayKind;
  readonly api: string;
  readonly method: string;
  readonly path: string;
}

interface Trace {
  /** The X-Ray trace root its invocations and integration calls carry. */
  readonly root: string;
  readonly functions: string[];
  readonly calls: ServiceCall[];
  authorizer?: { cache: CacheOutcome; functionName?: string };
  stageCache?: CacheOutcome;
  status?: number;
  method?: string;
  /** Set once the record is out: a late note (a timer armed during the request) changes nothing. */
  done: boolean;
}

interface Frame {
  readonly trace: Trace;
  /** Inside an authorizer's invocation, a function that runs is the authorizer's. */
  readonly role: 'request' | 'authorizer';
}

const frames = new AsyncLocalStorage<Frame>();
/** The traces still open, by root: a service's request carries the root in its `X-Amzn-Trace-Id`, not its context. */
const openTraces = new Map<string, Trace>();

function openTrace(): Trace {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  const trace: Trace = {
    root: `1-${epoch}-${randomBytes(12).toString('hex')}`,
    functions: [],
    calls: [],
    done: false,
  };
  openTraces.set(trace.root, trace);
  return trace;
}

function current(): Trace | undefined {
  const trace = frames.getStore()?.trace;
  return trace?.done ? undefined : trace;
}

/** How many requests are being traced now (a diagnostic: it returns to 0 when none is in flight). */
export function openTraceCount(): number {
  return openTraces.size;
}

/** The trace root of the request being served here, for an invocation or an integration's call to carry. */
export function currentTraceRoot(): string | undefined {
  return current()?.root;
}

/** `Root=…` of an `X-Amzn-Trace-Id` header (the last one when repeated). */
export function traceRootOf(header: string | readonly string[] | undefined): string | undefined {
  const value = typeof header === 'string' ? header : header?.at(-1);
  return value?.match(/(?:^|;)\s*Root=([^;]+)/)?.[1];
}

/**
 * An emulated service received a call: counted on the request whose trace root its `X-Amzn-Trace-Id` names, if that
 * request is still being served (a call from a stream poller or a test names none).
 */
export function noteServiceCall(
  traceHeader: string | readonly string[] | undefined,
  service: string,
  operation: string,
): void {
  const root = traceRootOf(traceHeader);
  const trace = root === undefined ? undefined : openTraces.get(root);
  if (trace && !trace.done) trace.calls.push({ service, operation });
}

/** Called by the Lambda runtime for every invocation. */
export function noteInvocation(functionName: string): void {
  const frame = frames.getStore();
  if (frame === undefined || frame.trace.done) return;
  if (frame.role === 'authorizer') frame.trace.authorizer = { cache: 'miss', functionName };
  else frame.trace.functions.push(functionName);
}

/** A Lambda authorizer answered from its result cache. */
export function noteAuthorizerCacheHit(): void {
  const trace = current();
  if (trace) trace.authorizer = { cache: 'hit' };
}

/** Runs a Lambda authorizer's invocation: a cache miss, and the function it runs is the authorizer's. */
export function authorizerInvocation<T>(invoke: () => Promise<T>): Promise<T> {
  const trace = current();
  if (trace === undefined) return invoke();
  trace.authorizer = { cache: 'miss' };
  return frames.run({ trace, role: 'authorizer' }, invoke);
}

/** The stage cache was consulted. */
export function noteStageCache(outcome: CacheOutcome): void {
  const trace = current();
  if (trace) trace.stageCache = outcome;
}

/** The route a WebSocket message was routed to (the record's method). */
export function noteRouteKey(routeKey: string): void {
  const trace = current();
  if (trace) trace.method = routeKey;
}

/** The status a request answers, for a gateway whose answer is not an HTTP response (a refused handshake). */
export function noteStatus(status: number): void {
  const trace = current();
  if (trace) trace.status = status;
}

function record(start: RequestStart, trace: Trace, status: number, startedAt: number): RequestRecord {
  trace.done = true;
  openTraces.delete(trace.root);
  return {
    ...start,
    method: trace.method ?? start.method,
    status: trace.status ?? status,
    durationMs: performance.now() - startedAt,
    functions: trace.functions,
    calls: trace.calls,
    ...(trace.authorizer ? { authorizer: trace.authorizer } : {}),
    ...(trace.stageCache ? { stageCache: trace.stageCache } : {}),
  };
}

/**
 * Runs `work` as one request and hands its record to `recorder`; `work` resolves with the status it answered
 * (`noteStatus` inside it takes precedence). Without a recorder it only runs `work`.
 */
export async function traceRequest<T extends number>(
  recorder: RequestRecorder | undefined,
  start: RequestStart,
  work: () => Promise<T>,
): Promise<T> {
  if (recorder === undefined) return work();
  const trace = openTrace();
  const startedAt = performance.now();
  let status: T;
  try {
    status = await frames.run({ trace, role: 'request' }, work);
  } catch (error) {
    // No record for a request that failed outright, but its trace must not stay open (the map would grow).
    trace.done = true;
    openTraces.delete(trace.root);
    throw error;
  }
  recorder(record(start, trace, status, startedAt));
  return status;
}

/** Wraps an HTTP listener so every request it serves yields a record when its response is done (or abandoned). */
export function recordedListener(
  recorder: RequestRecorder | undefined,
  api: { readonly kind: GatewayKind; readonly api: string },
  listener: RequestListener,
): RequestListener {
  if (recorder === undefined) return listener;
  return (req: IncomingMessage, res: ServerResponse) => {
    const trace = openTrace();
    const startedAt = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // 'finish' (the response handed to the socket) comes before the client can have read it all, so a caller
    // that awaits the body then looks at the records finds this one; 'close' covers an abandoned response.
    const emit = () => {
      if (!trace.done)
        recorder(record({ ...api, method: req.method ?? 'GET', path }, trace, res.statusCode, startedAt));
    };
    res.once('finish', emit);
    res.once('close', emit);
    frames.run({ trace, role: 'request' }, () => listener(req, res));
  };
}
