import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyRecord, ApiKeyStore, UsagePlanRecord } from '../api-keys/api-key-store';
import type { UsageMeter } from '../gateway/usage-meter';
import type { IamAuthority } from '../iam/call-authority';
import { loopbackServer } from '../loopback-server';
import type { AuthorizerCaches } from '../rest-api/authorizer-caches';
import type { StageCaches } from '../rest-api/stage-cache';

/** Options of `createApiGatewayControlServer`. */
export interface ApiGatewayControlServerOptions {
  /** The store the REST API emulators meter with, so keys created here work at once. */
  readonly apiKeys: ApiKeyStore;
  /** The REST APIs' stage caches (FlushStageCache, UpdateStage's cache-control settings); @default none known */
  readonly stageCaches?: StageCaches;
  /** IAM: each call is evaluated as `apigateway:<METHOD>` on its path. @default every call is served */
  readonly iam?: IamAuthority;
  /** The REST APIs' Lambda authorizer caches (FlushStageAuthorizersCache); @default none known */
  readonly authorizerCaches?: AuthorizerCaches;
  /** The meter the REST APIs count requests with, whose records GetUsage reads; @default no usage recorded */
  readonly meter?: UsageMeter;
  /** @default console.log */
  readonly log?: (line: string) => void;
}

/** The API Gateway control plane subset served locally (point AWS_ENDPOINT_URL_API_GATEWAY at `listen()`'s URL). */
export interface ApiGatewayControlServer {
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** API Gateway's error type, sent as `x-amzn-ErrorType` for the SDK's error parser. */
  readonly errorType?: string;
}

const error = (status: number, errorType: string, message: string): Reply => ({
  status,
  errorType,
  body: { message },
});

function apiKeyJson(key: ApiKeyRecord, includeValue: boolean): Record<string, unknown> {
  return {
    id: key.id,
    ...(includeValue ? { value: key.value } : {}),
    name: key.name,
    ...(key.description === undefined ? {} : { description: key.description }),
    ...(key.customerId === undefined ? {} : { customerId: key.customerId }),
    enabled: key.enabled,
    // REST-JSON timestamps are epoch seconds.
    createdDate: key.createdDate.getTime() / 1000,
    lastUpdatedDate: key.lastUpdatedDate.getTime() / 1000,
    stageKeys: key.stageKeys,
  };
}

function usagePlanKeyJson(key: ApiKeyRecord): Record<string, unknown> {
  return { id: key.id, type: 'API_KEY', value: key.value, name: key.name };
}

function usagePlanJson(plan: UsagePlanRecord): Record<string, unknown> {
  return {
    id: plan.id,
    name: plan.name,
    apiStages: plan.apiStages.map((stage) => ({ apiId: stage.apiId, stage: stage.stage })),
    ...(plan.throttle === undefined ? {} : { throttle: plan.throttle }),
    ...(plan.quota === undefined ? {} : { quota: plan.quota }),
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * GetUsage (`GET /usageplans/{id}/usage?startDate&endDate[&keyId]`): per key of the plan, one `[used,
 * remaining]` entry per day, from the meter the REST APIs count with. Unlike API Gateway, whose records lag by
 * minutes, the local records are current at once.
 */
function usageReply(
  store: ApiKeyStore,
  meter: UsageMeter | undefined,
  plan: UsagePlanRecord,
  url: URL,
): Reply {
  const startDate = url.searchParams.get('startDate') ?? '';
  const endDate = url.searchParams.get('endDate') ?? '';
  if (!DAY.test(startDate) || !DAY.test(endDate) || startDate > endDate) {
    return error(400, 'BadRequestException', 'startDate and endDate must be yyyy-MM-dd dates, start first');
  }
  const keyId = url.searchParams.get('keyId') ?? undefined;
  const keys = store.usagePlanKeys(plan.id).filter((key) => keyId === undefined || key.id === keyId);
  const items = Object.fromEntries(
    keys.map((key) => [key.id, meter?.usage(`${plan.id}/${key.id}`, plan.quota, startDate, endDate) ?? []]),
  );
  return { status: 200, body: { usagePlanId: plan.id, startDate, endDate, values: items } };
}

/**
 * UpdateUsage (`PATCH /usageplans/{id}/keys/{keyId}/usage`): `replace /remaining` sets what the key has left of
 * the plan's quota this period (API Gateway's "temporary extension": the next period starts from the limit
 * again), answering the key's usage over the current period as GetUsage would. Other operations are refused by
 * name; a plan without a quota has no remaining to set.
 */
function updateUsage(
  store: ApiKeyStore,
  meter: UsageMeter | undefined,
  plan: UsagePlanRecord,
  keyId: string,
  body: Record<string, unknown>,
): Reply {
  if (!store.usagePlanKeys(plan.id).some((key) => key.id === keyId)) {
    return error(404, 'NotFoundException', 'Invalid API Key identifier specified');
  }
  const operations = Array.isArray(body.patchOperations) ? body.patchOperations : [];
  const quota = plan.quota;
  let remaining: number | undefined;
  for (const entry of operations) {
    const operation = (entry ?? {}) as Record<string, unknown>;
    if (operation.op !== 'replace' || operation.path !== '/remaining') {
      return error(
        400,
        'BadRequestException',
        `UpdateUsage ${String(operation.op)} ${String(operation.path)} is not emulated (only replace of /remaining is)`,
      );
    }
    const value = field(operation, 'value') ?? '';
    if (!/^\d+$/.test(value)) {
      return error(400, 'BadRequestException', `Invalid value for remaining: ${value}`);
    }
    remaining = Number(value);
  }
  if (remaining !== undefined) {
    if (quota === undefined) {
      return error(400, 'BadRequestException', `Usage plan ${plan.id} has no quota to set the remaining of`);
    }
    meter?.setRemaining(`${plan.id}/${keyId}`, quota, remaining);
  }
  const today = new Date().toISOString().slice(0, 10);
  const url = new URL(
    `http://localhost/?keyId=${encodeURIComponent(keyId)}&startDate=${today}&endDate=${today}`,
  );
  return usageReply(store, meter, plan, url);
}

function field(body: Record<string, unknown>, name: string): string | undefined {
  return typeof body[name] === 'string' ? body[name] : undefined;
}

/**
 * FlushStageCache (`DELETE /restapis/{id}/stages/{stage}/cache/data`), FlushStageAuthorizersCache
 * (`DELETE /restapis/{id}/stages/{stage}/cache/authorizers`) and UpdateStage
 * (`PATCH /restapis/{id}/stages/{stage}`) for the cache-control settings CloudFormation cannot set; other
 * stage patches are refused by name. `undefined` when the call is not a stage call.
 */
function handleStageRequest(
  caches: StageCaches | undefined,
  authorizerCaches: AuthorizerCaches | undefined,
  method: string,
  segments: readonly string[],
  body: Record<string, unknown>,
): Reply | undefined {
  const [collection, apiId = '', stages, stage = '', ...rest] = segments;
  if (collection !== 'restapis' || stages !== 'stages' || segments.length < 4) return undefined;
  if (caches === undefined || !caches.hasStage(apiId, stage)) {
    return error(404, 'NotFoundException', 'Invalid stage identifier specified');
  }
  if (method === 'DELETE' && rest.join('/') === 'cache/data') {
    caches.flush(apiId, stage);
    return { status: 202 };
  }
  if (method === 'DELETE' && rest.join('/') === 'cache/authorizers') {
    authorizerCaches?.flush(apiId, stage);
    return { status: 202 };
  }
  if (method === 'PATCH' && rest.length === 0) {
    const operations = Array.isArray(body.patchOperations) ? body.patchOperations : [];
    for (const entry of operations) {
      const operation = (entry ?? {}) as Record<string, unknown>;
      const path = String(operation.path ?? '');
      const outcome =
        operation.op === 'replace'
          ? caches.patchCacheControl(apiId, stage, path, field(operation, 'value'))
          : false;
      if (typeof outcome === 'string') return error(400, 'BadRequestException', outcome);
      if (!outcome) {
        return error(
          400,
          'BadRequestException',
          `UpdateStage ${String(operation.op)} ${path} is not emulated (only the caching/requireAuthorizationForCacheControl and caching/unauthorizedCacheControlHeaderStrategy settings are)`,
        );
      }
    }
    return { status: 200, body: { stageName: stage } };
  }
  return undefined;
}

/** The fields UpdateApiKey may `replace`, and how each patch value becomes the key's. */
const API_KEY_PATCHES: Readonly<
  Record<
    string,
    (
      value: string | undefined,
    ) => Partial<Pick<ApiKeyRecord, 'name' | 'description' | 'customerId' | 'enabled'>> | string
  >
> = {
  '/enabled': (value) =>
    value === 'true' || value === 'false'
      ? { enabled: value === 'true' }
      : `Invalid value for enabled: ${value}`,
  '/name': (value) => ({ name: value ?? '' }),
  '/description': (value) => ({ description: value }),
  '/customerId': (value) => ({ customerId: value }),
};

/**
 * UpdateApiKey (`PATCH /apikeys/{id}`): `replace` on `/enabled`, `/name`, `/description`, `/customerId`, applied
 * all or nothing, answering the updated key. Other operations (stage keys) are refused by name.
 */
function updateApiKey(store: ApiKeyStore, key: ApiKeyRecord, body: Record<string, unknown>): Reply {
  const operations = Array.isArray(body.patchOperations) ? body.patchOperations : [];
  let changes: Partial<Pick<ApiKeyRecord, 'name' | 'description' | 'customerId' | 'enabled'>> = {};
  for (const entry of operations) {
    const operation = (entry ?? {}) as Record<string, unknown>;
    const path = String(operation.path ?? '');
    const patch = operation.op === 'replace' ? API_KEY_PATCHES[path] : undefined;
    if (patch === undefined) {
      return error(
        400,
        'BadRequestException',
        `UpdateApiKey ${String(operation.op)} ${path} is not emulated (only replace of ${Object.keys(API_KEY_PATCHES).join(', ')} is)`,
      );
    }
    const outcome = patch(field(operation, 'value'));
    if (typeof outcome === 'string') return error(400, 'BadRequestException', outcome);
    changes = { ...changes, ...outcome };
  }
  const updated = store.updateApiKey(key.id, changes) ?? key;
  return { status: 200, body: apiKeyJson(updated, false) };
}

/** Routes one control-plane call (REST-JSON, as @aws-sdk/client-api-gateway sends it). */
export function handleControlRequest(
  store: ApiKeyStore,
  method: string,
  url: URL,
  body: Record<string, unknown>,
  stageCaches?: StageCaches,
  authorizerCaches?: AuthorizerCaches,
  meter?: UsageMeter,
): Reply {
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const stageReply = handleStageRequest(stageCaches, authorizerCaches, method, segments, body);
  if (stageReply) return stageReply;
  const flag = (name: string): boolean => url.searchParams.get(name) === 'true';
  const [collection, id, sub] = segments;
  if (collection === 'apikeys' && id === undefined) {
    if (method === 'POST') {
      if (url.searchParams.get('mode') === 'import')
        return error(400, 'BadRequestException', 'import is not emulated');
      const stageKeys = (Array.isArray(body.stageKeys) ? body.stageKeys : []).map((entry) => {
        const stageKey = (entry ?? {}) as Record<string, unknown>;
        return `${String(stageKey.restApiId)}/${String(stageKey.stageName)}`;
      });
      const value = field(body, 'value');
      if (value !== undefined && value.length < 20) {
        return error(400, 'BadRequestException', 'API Key value should be at least 20 characters');
      }
      if (value !== undefined && store.listApiKeys().some((k) => k.value === value)) {
        return error(409, 'ConflictException', 'API Key already exists');
      }
      const key = store.createApiKey({
        name: field(body, 'name'),
        description: field(body, 'description'),
        customerId: field(body, 'customerId'),
        enabled: body.enabled === true,
        value,
        stageKeys,
      });
      return { status: 201, body: apiKeyJson(key, true) };
    }
    if (method === 'GET') {
      const keys = store.listApiKeys(url.searchParams.get('name') ?? undefined);
      const limit = Number(url.searchParams.get('limit') ?? 25);
      const position = Number(url.searchParams.get('position') ?? 0);
      const page = keys.slice(position, position + limit);
      const next = position + limit < keys.length ? String(position + limit) : undefined;
      return {
        status: 200,
        body: {
          item: page.map((k) => apiKeyJson(k, flag('includeValues'))),
          ...(next ? { position: next } : {}),
        },
      };
    }
  }
  if (collection === 'apikeys' && id !== undefined && sub === undefined) {
    const key = store.getApiKey(id);
    if (!key) return error(404, 'NotFoundException', 'Invalid API Key identifier specified');
    if (method === 'GET') return { status: 200, body: apiKeyJson(key, flag('includeValue')) };
    if (method === 'DELETE') {
      store.deleteApiKey(id);
      return { status: 202 };
    }
    if (method === 'PATCH') return updateApiKey(store, key, body);
  }
  if (collection === 'usageplans' && id === undefined && method === 'GET') {
    // GetUsagePlans: the plans of the template (no paging needed for a template's handful), or those a key is in.
    const keyId = url.searchParams.get('keyId');
    const plans = store
      .listUsagePlans()
      .filter((plan) => keyId === null || store.usagePlanKeys(plan.id).some((key) => key.id === keyId));
    return { status: 200, body: { item: plans.map(usagePlanJson) } };
  }
  if (collection === 'usageplans' && id !== undefined && method === 'GET' && segments.length <= 3) {
    const plan = store.getUsagePlan(id);
    if (sub === undefined || sub === 'usage') {
      if (!plan) return error(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
      return sub === undefined
        ? { status: 200, body: usagePlanJson(plan) }
        : usageReply(store, meter, plan, url);
    }
  }
  if (collection === 'usageplans' && id !== undefined && sub === 'keys' && segments.length === 3) {
    if (!store.getUsagePlan(id)) return error(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
    if (method === 'POST') {
      const keyId = field(body, 'keyId') ?? '';
      const outcome = store.addUsagePlanKey(id, keyId);
      if (outcome === 'no-key')
        return error(404, 'NotFoundException', 'Invalid API Key identifier specified');
      if (outcome === 'conflict') {
        return error(
          409,
          'ConflictException',
          `Usage Plan ${id} cannot be added because API Key ${keyId} cannot reference multiple Usage Plans with the same API Stage`,
        );
      }
      const key = store.getApiKey(keyId);
      return key
        ? { status: 201, body: usagePlanKeyJson(key) }
        : error(404, 'NotFoundException', 'Invalid API Key identifier specified');
    }
    if (method === 'GET') {
      const nameQuery = url.searchParams.get('name') ?? '';
      const keys = store.usagePlanKeys(id).filter((k) => k.name.startsWith(nameQuery));
      return { status: 200, body: { item: keys.map(usagePlanKeyJson) } };
    }
  }
  if (
    collection === 'usageplans' &&
    id !== undefined &&
    sub === 'keys' &&
    segments.length === 5 &&
    segments[4] === 'usage' &&
    method === 'PATCH'
  ) {
    const plan = store.getUsagePlan(id);
    if (!plan) return error(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
    return updateUsage(store, meter, plan, segments[3] ?? '', body);
  }
  if (collection === 'usageplans' && id !== undefined && sub === 'keys' && segments.length === 4) {
    const keyId = segments[3] ?? '';
    if (method === 'DELETE') {
      const outcome = store.removeUsagePlanKey(id, keyId);
      if (outcome === 'no-plan') return error(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
      if (outcome === 'not-bound')
        return error(404, 'NotFoundException', 'Invalid API Key identifier specified');
      return { status: 202 };
    }
    if (method === 'GET') {
      const key = store.usagePlanKeys(id).find((k) => k.id === keyId);
      return key
        ? { status: 200, body: usagePlanKeyJson(key) }
        : error(404, 'NotFoundException', 'Invalid API Key identifier specified');
    }
  }
  return error(
    404,
    'NotFoundException',
    `${method} ${url.pathname} is not emulated by the local API Gateway control plane`,
  );
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const parsed = JSON.parse(text) as unknown;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

/**
 * IAM's check of a control-plane call: `apigateway:<METHOD>` on `arn:aws:apigateway:<region>::<path>`; a refusal
 * is API Gateway's 403 AccessDeniedException.
 */
function iamRefusal(
  iam: IamAuthority | undefined,
  req: IncomingMessage,
  method: string,
  url: URL,
): Reply | undefined {
  const model = iam?.iamModel;
  if (iam === undefined || model === undefined) return undefined;
  const refusal = iam.authorize(iam.principalOfRequest(req.headers, req.url), {
    action: `apigateway:${method}`,
    resource: `arn:aws:apigateway:${model.region}::${decodeURIComponent(url.pathname)}`,
  });
  return refusal ? error(403, 'AccessDeniedException', refusal.message) : undefined;
}

async function serve(
  options: ApiGatewayControlServerOptions,
  log: (line: string) => void,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { apiKeys: store, stageCaches, authorizerCaches, meter } = options;
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://localhost');
  let reply: Reply;
  try {
    const body = await readJson(req);
    reply =
      iamRefusal(options.iam, req, method, url) ??
      handleControlRequest(store, method, url, body, stageCaches, authorizerCaches, meter);
  } catch (caught) {
    reply = error(400, 'BadRequestException', caught instanceof Error ? caught.message : 'Invalid request');
  }
  res.statusCode = reply.status;
  res.setHeader('Content-Type', 'application/json');
  if (reply.errorType) res.setHeader('x-amzn-ErrorType', reply.errorType);
  res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  // A refused call is worth a line; a successful one is as quiet as a DynamoDB call.
  if (reply.status >= 400)
    log(`${method} ${url.pathname} ${reply.status} ${reply.errorType ?? ''}`.trimEnd());
}

/** Creates the local API Gateway control-plane endpoint over the shared key store. */
export function createApiGatewayControlServer(
  options: ApiGatewayControlServerOptions,
): ApiGatewayControlServer {
  const log = options.log ?? ((line: string) => console.log(line));
  return loopbackServer((req, res) => {
    void serve(options, log, req, res);
  });
}
