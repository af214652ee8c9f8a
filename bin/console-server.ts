/**
 * The console's local web server for `npm start` and the browser tests: the built console (console/build.ts), its
 * `/config.json` from the local cloud's stack outputs, and one forwarded route, `POST /oauth2/token`.
 *
 * Why the forward: a deployed console exchanges its code at the Cognito domain, which answers browsers with CORS
 * headers; the local identity server's `/oauth2/token` sends none yet, so the browser could not read its answer.
 * The console's config names `/oauth2/token` on its own origin locally (same origin: no CORS), and this server
 * passes the form through unchanged. Everything else the browser calls (the APIs, managed login, the WebSocket)
 * it calls directly, with CORS as deployed.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { ConsoleConfig } from '../console/console-config';

/** What the console server serves. */
export interface ConsoleServerOptions {
  /** The built console. */
  readonly dir: string;
  /** Read on every request, so a restarted cloud's new URLs are served without restarting this server. */
  readonly config: () => ConsoleConfig;
  /** The local identity server (`http://127.0.0.1:<port>`) `POST /oauth2/token` is forwarded to. */
  readonly identityUrl: () => string;
  readonly port: number;
  readonly host?: string;
}

/** A running console server. */
export interface ConsoleServer {
  /** `http://localhost:<port>`: the origin the stack's CORS and callback URLs allow. */
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

/** The headers CloudFront's response headers policy adds to the deployed console (infra/console-site.ts). */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the console server on `options.port` (0: any free port). */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://console').pathname;
      if (request.method === 'POST' && path === '/oauth2/token') {
        const answer = await fetch(`${options.identityUrl()}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': request.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
          body: new Uint8Array(await readBody(request)),
        });
        response.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
          'cache-control': 'no-store',
        });
        response.end(Buffer.from(await answer.arrayBuffer()));
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/config.json') {
        response.writeHead(200, {
          'content-type': TYPES['.json'],
          'cache-control': 'no-store',
          ...SECURITY_HEADERS,
        });
        response.end(JSON.stringify(options.config()));
        return;
      }
      // A file of the build, else the app itself (its own routes: /auth/callback, /store/…, /track/…).
      const file = extname(path) === '' ? 'index.html' : normalize(path).replace(/^(\.\.[/\\])+/, '');
      const content = await readFile(join(options.dir, file)).catch(() => undefined);
      if (content === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain', ...SECURITY_HEADERS }).end('not found');
        return;
      }
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        ...SECURITY_HEADERS,
      });
      response.end(request.method === 'HEAD' ? undefined : content);
    })().catch((error: Error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`console server: ${error.message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
