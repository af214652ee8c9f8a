import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The certificate of the local cloud's `https://` endpoints: self-signed, for `127.0.0.1`, `::1` and `localhost`.
 * It is its own trust anchor; function workers trust it (see the Lambda runtime's `trustedCertificates`), nothing
 * else does.
 */
export interface LoopbackCertificate {
  /** PEM. */
  readonly cert: string;
  /** PEM (PKCS#8). */
  readonly key: string;
}

const VALID_DAYS = 365;
/** A certificate this close to its end is replaced. */
const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

/** One per user of the machine, kept across runs: making one costs about a second (an RSA key, node-forge). */
function cacheFile(): string {
  const user = process.getuid?.() ?? 'user';
  return join(tmpdir(), `cdk-local-cloud-${user}`, 'loopback-tls.json');
}

function usable(candidate: LoopbackCertificate): boolean {
  const x509 = new X509Certificate(candidate.cert);
  return Date.parse(x509.validTo) - Date.now() > RENEW_BEFORE_MS && x509.checkIP('127.0.0.1') !== undefined;
}

function readCached(file: string): LoopbackCertificate | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as LoopbackCertificate;
    return usable(cached) ? cached : undefined;
  } catch {
    return undefined; // absent, unreadable or not a certificate: make a new one
  }
}

async function createCertificate(): Promise<LoopbackCertificate> {
  // node:crypto makes keys and signs but cannot write an X.509 certificate; node-forge can, loaded only here.
  const { default: forge } = await import('node-forge');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`; // a leading 01: positive, as DER requires
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + VALID_DAYS * 24 * 60 * 60 * 1000);
  const name = [{ name: 'commonName', value: 'cdk-local-cloud loopback' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  // Signed by node:crypto: node-forge's own RSA signing is pure JavaScript and takes half a second.
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption ?? '1.2.840.113549.1.1.11';
  cert.siginfo.algorithmOid = cert.signatureOid;
  // getTBSCertificate is what forge's own sign() uses; @types/node-forge leaves it out.
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(certificate: typeof cert): typeof cert.tbsCertificate;
  };
  cert.tbsCertificate = pki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, privateKey).toString('binary');
  return {
    cert: forge.pki.certificateToPem(cert),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

let memo: Promise<LoopbackCertificate> | undefined;

/**
 * The loopback certificate of this machine's user: read from os.tmpdir() when a usable one is there, else made
 * and kept there (private to the user). One per process: every server and worker of it agrees on it.
 */
export function loopbackCertificate(): Promise<LoopbackCertificate> {
  memo ??= (async () => {
    const file = cacheFile();
    const cached = readCached(file);
    if (cached !== undefined) return cached;
    const created = await createCertificate();
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    // Written aside and renamed: a concurrent run reads the old file or the new one, never half of one.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(created), { mode: 0o600 });
    renameSync(partial, file);
    return created;
  })();
  return memo;
}

/** TLS records start with a handshake content type of 22 (0x16); an HTTP request starts with a method's letter. */
const TLS_HANDSHAKE = 0x16;

/** One port that answers plain HTTP and HTTPS (with the loopback certificate), told apart by the first byte. */
export interface PlainAndTlsListener {
  /** The plain HTTP side: add `request`/`upgrade` listeners here (the TLS side forwards to the same ones). */
  readonly http: HttpServer;
  /** Resolves to the port bound (0 = a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Drops open connections and stops listening. */
  close(): Promise<void>;
}

/**
 * Listens on one port for both `http://` and `https://` (and so `ws://` and `wss://`): each connection's first
 * byte says which (a TLS ClientHello starts with 0x16), and the connection is handed, that byte put back, to the
 * plain or the TLS server. Both emit their requests and upgrades to the same listeners.
 */
export async function plainAndTlsListener(listener: RequestListener): Promise<PlainAndTlsListener> {
  const { cert, key } = await loopbackCertificate();
  const http = createHttpServer(listener);
  const https = createHttpsServer({ cert, key }, listener);
  // Upgrades (WebSocket handshakes) arriving over TLS go wherever the plain side's go.
  https.on('upgrade', (...args) => http.emit('upgrade', ...args));
  const sockets = new Set<Socket>();
  const net: NetServer = createNetServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? https : http).emit('connection', socket);
    });
  });
  return {
    http,
    listen: (port, host) =>
      new Promise<number>((resolve, reject) => {
        net.once('error', reject);
        net.listen(port, host, () => {
          const address = net.address();
          resolve(typeof address === 'object' && address !== null ? address.port : port);
        });
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        net.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
