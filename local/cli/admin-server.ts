import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { LocalCloud } from '../local-cloud';
import { closeServer, listenOn } from '../loopback-server';
import type { RequestRecord } from '../request-records';
import { type CloudOutputs, cloudOutputs, exportLines } from './cloud-outputs';

/** Where the command line is: the health route says it, so a script can wait for `ready`. */
export type CliPhase = 'synthesizing' | 'starting' | 'ready' | 'reloading' | 'stopping';

/** One endpoint's answer to the health check. */
export interface EndpointHealth {
  readonly kind: string;
  readonly name: string;
  readonly url: string;
  /** A TCP connection to its port was accepted. */
  readonly up: boolean;
}

/** `GET /_local/health`: 200 when ready and every endpoint accepts connections, 503 otherwise. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded' | CliPhase;
  readonly phase: CliPhase;
  /** Seconds since the command started. */
  readonly uptimeSeconds: number;
  readonly services: readonly EndpointHealth[];
}

/** What the admin listener reads from the command line. */
export interface AdminState {
  readonly phase: () => CliPhase;
  /** The cloud being served, once there is one. */
  readonly cloud: () => LocalCloud | undefined;
  /** The requests the gateways served most recently, oldest first. @default none */
  readonly recentRequests?: () => readonly RequestRecord[];
}

/** How many request records {@link RecentRequests} keeps: enough for a script's last few calls, a bounded memory. */
export const RECENT_REQUESTS_KEPT = 200;

/**
 * The last {@link RECENT_REQUESTS_KEPT} request records, for `GET /_local/requests`: a script or a page can see what
 * the one-line request log shows — status, functions, authorizer and stage-cache hit or miss — without parsing it.
 */
export class RecentRequests {
  private readonly records: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > RECENT_REQUESTS_KEPT) this.records.shift();
  }

  list(): readonly RequestRecord[] {
    return this.records;
  }
}

/** Whether something accepts TCP connections at the URL's host and port. */
function accepts(url: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url.replace(/^wss?:/, 'http:'));
  const portNumber = Number(port || (protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: portNumber });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Checks every endpoint of the cloud (each listener once, however many URLs it serves). */
async function healthReport(state: AdminState, startedAt: number): Promise<HealthReport> {
  const phase = state.phase();
  const cloud = state.cloud();
  const services = cloud
    ? await Promise.all(
        cloud.endpoints.map(async ({ kind, name, url }) => ({ kind, name, url, up: await accepts(url) })),
      )
    : [];
  const status = phase !== 'ready' ? phase : services.every((service) => service.up) ? 'ok' : 'degraded';
  return { status, phase, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), services };
}

/**
 * The command line's own listener, on 127.0.0.1: `GET /_local/health` (JSON, see {@link HealthReport}),
 * `GET /_local/outputs` (what `--outputs-file` writes), `GET /_local/env` (what `--print-env` prints) and
 * `GET /_local/requests[?limit=N]` (the most recent request records, newest last). It answers from the first moment,
 * so a script can poll it while the app is synthesized.
 */
export async function startAdminServer(
  port: number,
  state: AdminState,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const startedAt = Date.now();
  const json = (status: number, body: unknown) => ({
    status,
    type: 'application/json',
    body: JSON.stringify(body, null, 2),
  });
  const answer = async (path: string, query: URLSearchParams) => {
    const cloud = state.cloud();
    if (path === '/_local/requests') {
      const limit = query.get('limit') ?? String(RECENT_REQUESTS_KEPT);
      if (!/^[1-9]\d*$/.test(limit))
        return json(400, { message: `limit must be a positive integer, not '${limit}'` });
      return json(200, { requests: (state.recentRequests?.() ?? []).slice(-Number(limit)) });
    }
    if (path === '/_local/health') {
      const report = await healthReport(state, startedAt);
      return json(report.status === 'ok' ? 200 : 503, report);
    }
    if (path === '/_local/outputs' || path === '/_local/env') {
      if (cloud === undefined) return json(503, { message: `not ready: ${state.phase()}` });
      const outputs: CloudOutputs = cloudOutputs(cloud);
      return path === '/_local/env'
        ? { status: 200, type: 'text/plain', body: exportLines(outputs.env) }
        : json(200, outputs);
    }
    return json(404, {
      message: `no route ${path}: try /_local/health, /_local/outputs, /_local/env or /_local/requests`,
    });
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' });
      res.end(JSON.stringify({ message: `${req.method} is not allowed: the admin routes answer GET` }));
      return;
    }
    answer(url.pathname, url.searchParams)
      .then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
      });
  });
  const bound = await listenOn(server, port);
  return { url: `http://127.0.0.1:${bound}`, close: () => closeServer(server) };
}
