import WebSocket from 'ws';

/** How long a test waits for a message before failing with a message instead of hanging (not an assertion). */
const GUARD_MS = 10_000;

/** A real `ws` client of the WebSocket API that queues what arrives, so tests read messages in order. */
export class LiveSocket {
  private readonly queue: Array<Record<string, unknown>> = [];
  private readonly waiters: Array<(message: Record<string, unknown>) => void> = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Opens a socket with `?token=`; rejects with the refusal's status code when the handshake is refused. */
  static open(url: string, token?: string): Promise<LiveSocket> {
    const target = token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(target);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`handshake refused: ${response.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** The next message, in arrival order. */
  next(): Promise<Record<string, unknown>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message within ${GUARD_MS} ms`)), GUARD_MS);
      this.waiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  /** Messages that arrived and were not read yet. */
  get unread(): number {
    return this.queue.length;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    await this.closed;
  }
}
