import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS, type LocalCloud, type RequestRecord, startLocalCloud } from 'cdk-local-cloud';
import {
  DEMO_TENANTS,
  type DemoTenant,
  demoSession,
  demoUsername,
  type SeededTenant,
  seedLocalCloud,
  sigV4Headers as signRequest,
} from '../../bin/demo-seed';
import { productAssembly } from './product-assembly';

/** A running local cloud serving the synthesized app, seeded with the demo tenants, plus helpers to call it. */
export interface E2eCloud {
  readonly cloud: LocalCloud;
  /** `http://127.0.0.1:<port>/<stage>` of the app's REST API. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:<port>` of the app's public HTTP API (`$default` stage). */
  readonly publicApiUrl: string;
  /** The demo tenants as seeding left them: slugs and a tracking id each. */
  readonly seeded: readonly SeededTenant[];
  readonly userPoolId: string;
  readonly clientId: string;
  /** Function names (as the runtime logs them) of every `START RequestId` line seen so far, in order. */
  readonly invocations: readonly string[];
  /** Every event the gateway handed a function, newest last. */
  readonly events: ReadonlyArray<{ readonly functionArn: string; readonly event: unknown }>;
  /** One record per REST API request (status, function, stage-cache hit or miss), newest last. */
  readonly requests: readonly RequestRecord[];
  /** A fresh ID token for a demo user. */
  idToken(tenant: DemoTenant, user: 'admin' | 'member'): string;
  /** Stops the cloud (the cloud assembly is the run's, shared with other suites). */
  close(): Promise<void>;
}

/**
 * Starts the whole local cloud on 127.0.0.1 (REST API on a free port) on the product's cloud assembly (synthesized
 * once per jest run, test/support/product-assembly.ts) and seeds the demo tenants through the product's own API,
 * exactly as `npm start` does (unless `seed: false`). Call once per suite.
 */
export async function startE2eCloud(options: { readonly seed?: boolean } = {}): Promise<E2eCloud> {
  const cdkOut = await productAssembly();
  const invocations: string[] = [];
  const events: Array<{ functionArn: string; event: unknown }> = [];
  const requests: RequestRecord[] = [];
  // The runtime logs `[<function>] START RequestId: …` per invocation: counting those tells which functions ran.
  const log = {
    write(text: string) {
      for (const match of text.matchAll(/^\[([^\]]+)\] START RequestId:/gm)) {
        if (match[1] !== undefined) invocations.push(match[1]);
      }
      return true;
    },
  };
  let cloud: LocalCloud | undefined;
  try {
    cloud = await startLocalCloud({
      cdkOut,
      port: 0,
      log,
      onEvent: (functionArn, event) => events.push({ functionArn, event }),
      onRequest: (record) => requests.push(record),
    });
    const started = cloud;
    const session = demoSession(started);
    // Unseeded for a suite that seeds itself (`saas seed`'s own test).
    const seeded = options.seed === false ? [] : await seedLocalCloud(started, session);

    return {
      cloud: started,
      apiUrl: session.apiUrl,
      publicApiUrl: session.publicApiUrl,
      seeded,
      userPoolId: session.userPoolId,
      clientId: session.clientId,
      invocations,
      events,
      requests,
      idToken: (tenant, user) => session.idToken(demoUsername(tenant, user)),
      close: () => started.close(),
    };
  } catch (error) {
    await cloud?.close();
    throw error;
  }
}

/** The two seeded tenants, by slug. */
export const [ACME, GLOBEX] = DEMO_TENANTS as readonly [DemoTenant, DemoTenant];

/** Headers of a SigV4 (execute-api) signature over a POST of exactly `payload` to `url`, with the local credentials. */
export function sigV4Headers(url: string, payload: string, region: string): Promise<Record<string, string>> {
  return signRequest(url, payload, region, LOCAL_CREDENTIALS);
}

/**
 * An operator's request to the REST API (AWS_IAM): SigV4-signed with the local credentials over its method, path,
 * query and JSON body, as a back-office system sends it.
 */
export async function operatorCall(
  e2e: E2eCloud,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiReply> {
  const url = new URL(`${e2e.apiUrl}${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: e2e.cloud.model.region,
    credentials: LOCAL_CREDENTIALS,
    sha256: Sha256,
  });
  const query = Object.fromEntries(url.searchParams);
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    ...(Object.keys(query).length > 0 ? { query } : {}),
    headers: { host: url.host, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { body: payload }),
  });
  return callApi(url.toString(), method, {
    headers: signed.headers as Record<string, string>,
    ...(payload === undefined ? {} : { rawBody: payload }),
  });
}

/** A JSON API's answer: status, headers, and the body parsed (`{}` when empty). */
export interface ApiReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/**
 * One HTTP call to a JSON API: `body` is sent as JSON (or `rawBody` as is) with its content type, `authorization`
 * as given (e.g. `Bearer <token>`).
 */
export async function callApi(
  url: string,
  method: string,
  init: { authorization?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<ApiReply> {
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.authorization === undefined ? {} : { authorization: init.authorization }),
      ...init.headers,
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}
