import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsoleServer, startConsoleServer } from '../../bin/console-server';
import type { ConsoleConfig } from '../../console/console-config';

const CONFIG = { apiUrl: 'http://127.0.0.1:3000/sandbox', tokenUrl: '/oauth2/token' } as ConsoleConfig;

let dir: string;
let identity: Server;
let server: ConsoleServer;
/** What the stand-in identity server received on /oauth2/token. */
const received: Array<{ contentType: string | undefined; body: string }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  identity = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += String(chunk);
    });
    request.on('end', () => {
      received.push({ contentType: request.headers['content-type'], body });
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
    });
  });
  await new Promise<void>((resolve) => identity.listen(0, '127.0.0.1', resolve));
  const identityUrl = `http://127.0.0.1:${(identity.address() as AddressInfo).port}`;
  server = await startConsoleServer({ dir, port: 0, config: () => CONFIG, identityUrl: () => identityUrl });
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => identity?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string) => fetch(`${server.url.replace('localhost', '127.0.0.1')}${path}`);

describe('the local console server', () => {
  it('serves the build with its content type and security headers, and the app itself for its own routes', async () => {
    const script = await get('/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    for (const route of ['/', '/auth/callback?code=x&state=y', '/store/acme-corp', '/track/abc']) {
      const page = await get(route);
      expect([route, page.status, await page.text()]).toEqual([
        route,
        200,
        '<!doctype html><title>console</title>',
      ]);
    }
  });

  it('answers /config.json from the config it is given, uncached', async () => {
    const response = await get('/config.json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(CONFIG);
  });

  it('answers 404 for a missing file and never serves outside its folder', async () => {
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/..%2f..%2fetc%2fpasswd.txt')).status).toBe(404);
    expect((await get('/../../etc/hostname.txt')).status).toBe(404);
  });

  it("forwards POST /oauth2/token to the identity server as sent, with the identity server's answer", async () => {
    const response = await fetch(`${server.url.replace('localhost', '127.0.0.1')}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=abc',
    });
    expect([response.status, await response.json()]).toEqual([400, { error: 'invalid_grant' }]);
    expect(received).toEqual([
      { contentType: 'application/x-www-form-urlencoded', body: 'grant_type=authorization_code&code=abc' },
    ]);
  });

  it('refuses other methods with 405', async () => {
    expect(
      (await fetch(`${server.url.replace('localhost', '127.0.0.1')}/`, { method: 'DELETE' })).status,
    ).toBe(405);
  });
});
