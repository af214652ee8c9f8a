import {
  createServer as createHttp1Server,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** The first bytes of an HTTP/2 connection with prior knowledge (RFC 9113, 3.4). */
const HTTP2_PREFACE = 'PRI * HTTP/2.0';

/** Headers HTTP/2 forbids or that describe the hop, not the message. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'host',
]);

/**
 * A loopback endpoint that speaks both HTTP/1.1 and cleartext HTTP/2 in front of an HTTP/1.1-only engine: the
 * AWS SDK's Kinesis client talks HTTP/2 (for SubscribeToShard) to any endpoint, plain `http://` included, while
 * the engine (kinesalite), the AWS CLI and `fetch` speak HTTP/1.1. Each connection is handed to the server of
 * the protocol its first bytes announce; requests are forwarded as they are and answers passed back.
 */
export class DualProtocolFront {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly engine: string) {
    const forward = (
      req: IncomingMessage | Http2ServerRequest,
      res: ServerResponse | Http2ServerResponse,
    ) => {
      this.forward(req, res).catch((error: unknown) => {
        const reply = res as ServerResponse;
        if (!reply.headersSent) reply.writeHead(502, { 'content-type': 'application/x-amz-json-1.1' });
        reply.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
      });
    };
    const http1 = createHttp1Server(forward);
    const http2 = createHttp2Server(forward);
    this.server = createNetServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.once('data', (first: Buffer) => {
        if (!first.toString('latin1').startsWith(HTTP2_PREFACE)) {
          socket.pause();
          socket.unshift(first);
          http1.emit('connection', socket);
          socket.resume();
          return;
        }
        // HTTP/2 sessions read a socket's native handle, past bytes already read: hand them a stream that
        // replays the first bytes, then relays the socket both ways.
        const relay = new Duplex({
          read() {},
          write(chunk: Buffer, _encoding, done) {
            socket.write(chunk, done);
          },
          final(done) {
            socket.end(done);
          },
          destroy(error, done) {
            socket.destroy(error ?? undefined);
            done(error);
          },
        });
        relay.push(first);
        socket.on('data', (chunk: Buffer) => relay.push(chunk));
        socket.on('end', () => relay.push(null));
        socket.on('error', (error) => relay.destroy(error));
        http2.emit('connection', relay);
      });
    });
  }

  /** Listens on the loopback interface; resolves to `http://127.0.0.1:<port>`. */
  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith(':') || HOP_HEADERS.has(name) || value === undefined) continue;
      headers[name] = value;
    }
    const url = new URL(req.url ?? '/', this.engine);
    const answer = await new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>(
      (resolve, reject) => {
        const upstream = httpRequest(
          url,
          { method: req.method, headers: { ...headers, 'content-length': body.length } },
          (response) => {
            const parts: Buffer[] = [];
            response.on('data', (chunk: Buffer) => parts.push(chunk));
            response.on('end', () => {
              const out: Record<string, string> = {};
              for (const [name, value] of Object.entries(response.headers)) {
                if (!HOP_HEADERS.has(name) && typeof value === 'string') out[name] = value;
              }
              resolve({ status: response.statusCode ?? 500, headers: out, body: Buffer.concat(parts) });
            });
            response.on('error', reject);
          },
        );
        upstream.on('error', reject);
        upstream.end(body);
      },
    );
    // The HTTP/2 compatibility response takes the same writeHead/end calls as HTTP/1.1's.
    const reply = res as ServerResponse;
    reply.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    reply.end(answer.body);
  }
}
