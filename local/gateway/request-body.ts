import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body within `limitBytes`; `undefined` when it exceeds the limit. With a declared
 * Content-Length over it nothing is kept, and a chunked body stops being kept as soon as it crosses it. The
 * rest is still read and dropped (ending the read early would destroy the socket), so the client reads the
 * gateway's 413 rather than a reset connection. The one body reader of the three gateways.
 */
export function readBodyWithin(req: IncomingMessage, limitBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limitBytes;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limitBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
