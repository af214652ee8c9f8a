import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP listener of the local cloud: started on demand, closed with its open connections. */
export interface LoopbackServer {
  /** Starts listening (port 0 = a free one); resolves to `http://<host>:<port>`. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Listens on `host:port` and resolves to the port actually bound. */
export async function listenOn(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server without waiting for idle keep-alive connections to time out. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/**
 * A port that is free now, below the kernel's ephemeral range: ports derived from it (`port + 1`, …) are not ones
 * the kernel hands to outgoing connections or to other `port 0` listeners, so only another process choosing at
 * random can take them (callers retry on EADDRINUSE).
 */
export async function portOutsideEphemeralRange(): Promise<number> {
  const { from, to } = portDrawRange();
  for (;;) {
    const candidate = randomInt(from, to);
    const probe = createServer();
    try {
      await listenOn(probe, candidate);
    } catch {
      continue; // taken: draw again
    }
    await closeServer(probe);
    return candidate;
  }
}

/** Where {@link portOutsideEphemeralRange} draws from: `[from, to)`, with room above `to` for a few APIs. */
export function portDrawRange(): { readonly from: number; readonly to: number } {
  const from = 10_000;
  return { from, to: Math.max(from + 1_000, ephemeralRangeStart() - 200) };
}

function ephemeralRangeStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 11_200 ? first : 32_768;
  } catch {
    return 32_768; // not Linux: the IANA range starts at 49152, so this stays below it too
  }
}

/** Wraps a request listener as a {@link LoopbackServer}. */
export function loopbackServer(listener: RequestListener): LoopbackServer {
  let server: Server | undefined;
  return {
    async listen(port = 0, host = '127.0.0.1') {
      const listening = createServer(listener);
      server = listening;
      return `http://${host}:${await listenOn(listening, port, host)}`;
    },
    async close() {
      const closing = server;
      server = undefined;
      if (closing) await closeServer(closing);
    },
  };
}
