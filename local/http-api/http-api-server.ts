import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyWithin } from '../gateway/request-body';
import { UsageMeter } from '../gateway/usage-meter';
import type { IamAuthority } from '../iam/call-authority';
import { secretLookup } from '../iam/secret-lookup';
import { loopbackServer } from '../loopback-server';
import {
  LambdaInvocationError,
  type LambdaInvoker,
  LambdaRequestTooLargeError,
  type LocalCloudModel,
} from '../model';
import { type RequestRecorder, recordedListener } from '../request-records';
import { CallTimeout, withTimeout } from '../timeout';
import { createIamAuthorization } from './authorizers/iam-authorization';
import { createJwtAuthorization } from './authorizers/jwt-authorizer';
import { createLambdaAuthorization } from './authorizers/lambda-authorizer';
import type { RouteAuthorization } from './authorizers/route-authorization';
import { isPreflight, preflightResponse, withCorsHeaders } from './cors-handling';
import {
  type HttpApiDefinition,
  type RouteDefinition,
  readHttpApiDefinition,
  type StageDefinition,
  type ThrottleLimits,
} from './http-api-definition';
import {
  GATEWAY_ERRORS,
  type HttpApiResponse,
  jsonError,
  mapV1Result,
  mapV2Result,
} from './http-api-response';
import { buildV1Event } from './payload-v1-event';
import { buildV2Event, type HttpApiRequest, type RequestFacts, routeArnOf } from './payload-v2-event';
import { selectRoute } from './route-selection';
import { runServiceIntegration, SERVICE_INTEGRATIONS, type ServiceEndpoints } from './service-integrations';

/** HTTP APIs refuse larger request bodies (AWS quota: 10 MB payload). */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Options of `createHttpApiServer`. */
export interface HttpApiServerOptions {
  readonly model: LocalCloudModel;
  /** The `AWS::ApiGatewayV2::Api`'s physical id (its `Ref`) or logical id. */
  readonly apiId: string;
  readonly invoker: LambdaInvoker;
  readonly region: string;
  readonly accountId: string;
  /** The credentials SigV4 callers of AWS_IAM routes sign with. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** IAM: AWS_IAM routes evaluate the signer's policies; functions' own keys are accepted. @default neither */
  readonly iam?: IamAuthority;
  /** Where problems are logged. @default console.log */
  readonly log?: (line: string) => void;
  /** Receives one record per request the listener served (the access log). */
  readonly onRequest?: RequestRecorder;
  /** Enforce stage and route throttling (429). @default true */
  readonly throttling?: boolean;
  /** Token buckets; @default a meter on the wall clock */
  readonly meter?: UsageMeter;
  /** Epoch milliseconds, for tokens, caches and event times. @default Date.now */
  readonly now?: () => number;
  /** Caps every integration's timeout (tests use a short one). @default each integration's, at most 30 s */
  readonly integrationTimeoutMs?: number;
  /** @default 10 000, AWS's Lambda-authorizer timeout */
  readonly authorizerTimeoutMs?: number;
  /** The AWS services first-class integrations call, by `AWS_ENDPOINT_URL_<NAME>` name. @default none */
  readonly serviceEndpoints?: ServiceEndpoints;
}

/** A request as it arrives on the listener (or from a test), before stage and route selection. */
export interface IncomingHttpApiRequest {
  readonly method: string;
  /** Path and query as sent (`/beta/items/1?x=1`). */
  readonly url: string;
  /** Lowercased names, every value in order. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** One HTTP API served on its own port: `$default` at `/`, named stages at `/<stage>/…`. */
export interface HttpApiServer {
  /** The API's id (its physical id), as in `https://{id}.execute-api…`. */
  readonly apiId: string;
  readonly definition: HttpApiDefinition;
  /** Starts listening (port 0: a free one); resolves to `http://<host>:<port>`. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Runs API Gateway's pipeline for one request (what the listener calls). */
  handle(request: IncomingHttpApiRequest): Promise<HttpApiResponse>;
  /** Re-reads the API's definition from a re-synthesized model; the listener and its meter stay. */
  reload(model: LocalCloudModel): void;
}

/** `ZhNHJhhLjoEEPiw=`: the form of HTTP API request ids. */
function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

/** The stage a path is for: a named stage by its first segment, else `$default`. */
function selectStage(
  definition: HttpApiDefinition,
  rawPath: string,
): { stage: StageDefinition; stagePath: string } | undefined {
  const [, first = ''] = rawPath.split('/');
  let name: string;
  try {
    name = decodeURIComponent(first);
  } catch {
    name = first;
  }
  const named = name !== '$default' ? definition.stages.get(name) : undefined;
  if (named !== undefined) {
    const rest = rawPath.slice(first.length + 1);
    return { stage: named, stagePath: rest === '' ? '/' : rest };
  }
  const fallback = definition.stages.get('$default');
  return fallback === undefined ? undefined : { stage: fallback, stagePath: rawPath };
}

/** RouteSettings for the route key override the stage's DefaultRouteSettings, limit by limit. */
function throttleOf(stage: StageDefinition, routeKey: string): ThrottleLimits | undefined {
  const route = stage.routeThrottles[routeKey];
  const fallback = stage.defaultThrottle;
  if (route === undefined) return fallback;
  return {
    rateLimit: route.rateLimit ?? fallback?.rateLimit,
    burstLimit: route.burstLimit ?? fallback?.burstLimit,
  };
}

/** Creates the emulator of one `AWS::ApiGatewayV2::Api` (`ProtocolType: HTTP`) of the model. */
export function createHttpApiServer(options: HttpApiServerOptions): HttpApiServer {
  let definition = readHttpApiDefinition(options.model, options.apiId);
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const meter = options.meter ?? new UsageMeter(now);
  for (const warning of definition.warnings) log(warning);

  // One entry per AuthorizationType: a new kind of authorization is a new file and a new line here.
  const authorizations: Record<string, RouteAuthorization> = {
    JWT: createJwtAuthorization({ now, log }),
    CUSTOM: createLambdaAuthorization({
      invoker: options.invoker,
      log,
      now,
      ...(options.authorizerTimeoutMs === undefined ? {} : { timeoutMs: options.authorizerTimeoutMs }),
    }),
    AWS_IAM: createIamAuthorization({
      credentials: secretLookup(options.credentials, options.iam),
      ...(options.iam ? { iam: options.iam } : {}),
      region: options.region,
      accountId: options.accountId,
      now,
    }),
  };

  async function integrate(
    facts: RequestFacts,
    route: RouteDefinition,
    authorizer: Record<string, unknown> | undefined,
  ): Promise<HttpApiResponse> {
    const integration = route.integration;
    if (integration?.subtype !== undefined) {
      const service = SERVICE_INTEGRATIONS[integration.subtype];
      if (!service) {
        log(`http-api ${definition.name}: the ${integration.subtype} integration is not emulated`);
        return jsonError(GATEWAY_ERRORS.internalError);
      }
      const timeoutMs = Math.min(
        integration.timeoutMs,
        options.integrationTimeoutMs ?? integration.timeoutMs,
      );
      try {
        const answered = await runServiceIntegration(
          service,
          integration.requestParameters,
          facts,
          options.serviceEndpoints ?? {},
          AbortSignal.timeout(timeoutMs),
        );
        if ('error' in answered) {
          log(`http-api ${definition.name}: ${integration.subtype} on ${route.key.text}: ${answered.error}`);
          return jsonError(GATEWAY_ERRORS.internalError);
        }
        return answered;
      } catch (error) {
        log(
          `http-api ${definition.name}: ${integration.subtype} on ${route.key.text} failed: ${String(error)}`,
        );
        return jsonError(
          error instanceof Error && error.name === 'TimeoutError'
            ? GATEWAY_ERRORS.serviceUnavailable
            : GATEWAY_ERRORS.internalError,
        );
      }
    }
    if (integration?.type !== 'AWS_PROXY' || integration.functionArn === undefined) {
      log(`http-api ${definition.name}: route ${route.key.text} has no Lambda proxy integration to call`);
      return jsonError(GATEWAY_ERRORS.internalError);
    }
    const v1 = integration.payloadFormatVersion === '1.0';
    const event = v1 ? buildV1Event(facts, authorizer) : buildV2Event(facts, authorizer);
    const timeoutMs = Math.min(integration.timeoutMs, options.integrationTimeoutMs ?? integration.timeoutMs);
    let result: unknown;
    try {
      result = await withTimeout(options.invoker.invoke(integration.functionArn, event), timeoutMs);
    } catch (error) {
      if (error instanceof CallTimeout) {
        log(`http-api ${definition.name}: ${integration.functionArn} did not answer within ${timeoutMs} ms`);
        return jsonError(GATEWAY_ERRORS.serviceUnavailable);
      }
      // Lambda refused the Invoke (event over its 6 MB limit). HTTP API's answer is UNCONFIRMED; REST's is 413.
      if (error instanceof LambdaRequestTooLargeError) {
        log(
          `http-api ${definition.name}: the event for ${integration.functionArn} is ${error.size} bytes: ${error.message}`,
        );
        return jsonError(GATEWAY_ERRORS.payloadTooLarge);
      }
      const kind = error instanceof LambdaInvocationError ? error.errorType : 'Invoke';
      log(
        `http-api ${definition.name}: ${integration.functionArn} failed (${kind}): ${error instanceof Error ? error.message : String(error)}`,
      );
      return jsonError(GATEWAY_ERRORS.internalError);
    }
    const response = v1 ? mapV1Result(result) : mapV2Result(result);
    if (response === undefined) {
      log(`http-api ${definition.name}: malformed Lambda response from ${integration.functionArn}`);
      return jsonError(GATEWAY_ERRORS.internalError);
    }
    return response;
  }

  async function pipeline(
    request: HttpApiRequest,
    requestId: string,
    startedAt: number,
  ): Promise<HttpApiResponse> {
    if (request.body.length > MAX_PAYLOAD_BYTES) return jsonError(GATEWAY_ERRORS.payloadTooLarge);
    const staged = selectStage(definition, request.rawPath);
    if (staged === undefined) return jsonError(GATEWAY_ERRORS.notFound);
    const selection = selectRoute(definition.routes, request.method, staged.stagePath);
    if (selection === undefined) return jsonError(GATEWAY_ERRORS.notFound);
    const { route, pathParameters } = selection;
    const { stage } = staged;
    if (
      options.throttling !== false &&
      !meter.take(`${definition.apiId}/${stage.name} ${route.key.text}`, throttleOf(stage, route.key.text))
    ) {
      return jsonError(GATEWAY_ERRORS.tooManyRequests);
    }
    const facts: RequestFacts = {
      request: { ...request, stagePath: staged.stagePath },
      apiId: definition.apiId,
      accountId: options.accountId,
      region: options.region,
      stage: stage.name,
      routeKey: route.key.text,
      pathParameters,
      stageVariables: stage.variables,
      requestId,
      timeEpoch: startedAt,
    };
    let authorizer: Record<string, unknown> | undefined;
    if (route.authorizationType !== 'NONE') {
      const authorization = authorizations[route.authorizationType];
      if (authorization === undefined) {
        log(`http-api ${definition.name}: authorization type ${route.authorizationType} is not emulated`);
        return jsonError(GATEWAY_ERRORS.internalError);
      }
      const outcome = await authorization.authorize({ facts, route, routeArn: routeArnOf(facts) });
      if (!outcome.ok) return outcome.response;
      authorizer = outcome.authorizer;
    }
    return integrate(facts, route, authorizer);
  }

  async function handle(incoming: IncomingHttpApiRequest): Promise<HttpApiResponse> {
    const startedAt = now();
    const requestId = newRequestId();
    const [rawPath = '/', ...query] = incoming.url.split('?');
    const request: HttpApiRequest = {
      method: incoming.method.toUpperCase(),
      rawPath: rawPath === '' ? '/' : rawPath,
      stagePath: rawPath,
      rawQueryString: query.join('?'),
      headers: incoming.headers,
      body: incoming.body,
      sourceIp: incoming.sourceIp,
      protocol: 'HTTP/1.1',
    };
    const preflight = definition.cors !== undefined && isPreflight(request.method, request.headers);
    let response: HttpApiResponse;
    try {
      response =
        preflight && definition.cors
          ? preflightResponse(definition.cors, request.headers)
          : await pipeline(request, requestId, startedAt);
    } catch (error) {
      log(
        `http-api ${definition.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      response = jsonError(GATEWAY_ERRORS.internalError);
    }
    // With CORS configured, every response to an allowed origin carries the gateway's CORS headers
    // (and never the backend's); applied to the gateway's own errors too (UNCONFIRMED for those).
    if (definition.cors && !preflight) {
      response = withCorsHeaders(definition.cors, request.headers, response);
    }
    response.headers['apigw-requestid'] = [requestId];
    return response;
  }

  return {
    apiId: definition.apiId,
    get definition() {
      return definition;
    },
    handle,
    reload(model) {
      // Requests read `definition` when they arrive: the next one sees the new routes, in-flight ones finish.
      definition = readHttpApiDefinition(model, options.apiId);
      for (const warning of definition.warnings) log(warning);
    },
    ...loopbackServer(
      recordedListener(options.onRequest, { kind: 'HTTP API', api: definition.name }, (req, res) => {
        void serve(req, res, handle);
      }),
    ),
  };
}

/** What API Gateway adds to the request headers on its way in (AWS's captures show them). */
function gatewayHeaders(req: IncomingMessage, sourceIp: string): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    headers[name] = [...(headers[name] ?? []), req.rawHeaders[i + 1] ?? ''];
  }
  const forwarded = headers['x-forwarded-for']?.join(',');
  headers['x-forwarded-for'] = [forwarded ? `${forwarded}, ${sourceIp}` : sourceIp];
  headers['x-forwarded-port'] = [String(req.socket.localPort ?? '')];
  headers['x-forwarded-proto'] = ['http'];
  if (headers['x-amzn-trace-id'] === undefined) {
    const epoch = Math.floor(Date.now() / 1000).toString(16);
    headers['x-amzn-trace-id'] = [`Root=1-${epoch}-${randomBytes(12).toString('hex')}`];
  }
  return headers;
}

function write(res: ServerResponse, response: HttpApiResponse): void {
  res.statusCode = response.statusCode;
  for (const [name, values] of Object.entries(response.headers)) res.setHeader(name, values);
  res.end(response.body);
}

/** Turns a Node HTTP request into an IncomingHttpApiRequest and writes the emulator's response. */
async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: IncomingHttpApiRequest) => Promise<HttpApiResponse>,
): Promise<void> {
  try {
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const body = await readBodyWithin(req, MAX_PAYLOAD_BYTES);
    if (body === undefined) {
      write(res, jsonError(GATEWAY_ERRORS.payloadTooLarge));
      return;
    }
    write(
      res,
      await handle({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: gatewayHeaders(req, sourceIp),
        body,
        sourceIp,
      }),
    );
  } catch (error) {
    console.error(error);
    if (!res.headersSent) write(res, jsonError(GATEWAY_ERRORS.internalError));
    else res.end();
  }
}
