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

/** A port that is free now: the OS picks it for a throwaway listener. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listenOn(probe, 0);
  await closeServer(probe);
  return port;
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
