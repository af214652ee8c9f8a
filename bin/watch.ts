#!/usr/bin/env node
/**
 * `npm run watch -- --tenant acme [--user member] [--order <orderId>]`: opens a socket to the running local
 * cloud's WebSocket API with a fresh ID token (`?token=`) and prints every message that arrives — the live
 * order and job changes of that tenant (only that order's with `--order`). Ctrl-C closes it.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { fetchIdToken, readLocalSession, usernameOf } from './local-session';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    user: { type: 'string', default: 'member' },
    order: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const session = await readLocalSession();
  if (!session.webSocketUrl) throw new Error('the running local cloud serves no WebSocket API');
  const username = usernameOf(values.tenant, values.user ?? 'member');
  const token = await fetchIdToken(session, username);
  const socket = new WebSocket(`${session.webSocketUrl}?token=${encodeURIComponent(token)}`);
  socket.on('unexpected-response', (_request, response) => {
    process.stderr.write(`the WebSocket API refused the connection: ${response.statusCode}\n`);
    process.exit(1);
  });
  socket.on('open', () => {
    process.stderr.write(`connected to ${session.webSocketUrl} as ${username}; waiting for changes…\n`);
    if (values.order) socket.send(JSON.stringify({ action: 'subscribe', orderId: values.order }));
  });
  socket.on('message', (data) => process.stdout.write(`${new Date().toISOString()}  ${data.toString()}\n`));
  socket.on('close', (code, reason) => {
    process.stderr.write(`closed: ${code} ${reason.toString()}\n`);
    process.exit(code === 1000 ? 0 : 1);
  });
  process.once('SIGINT', () => socket.close(1000));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
