import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { type LoopbackServer, loopbackServer } from '../loopback-server';
import { type CorsRule, corsResponseHeaders, preflight } from './bucket-cors';
import { verifyPostPolicy } from './post-policy';
import { isPresigned, type SecretLookup, verifyPresignedUrl } from './presigned-url';
import { accessDenied, hostId, S3Error, s3ErrorXml, s3RequestId } from './s3-errors';

/** What the front knows of a bucket beyond what the engine stores. */
export interface BucketSettings {
  readonly cors?: readonly CorsRule[];
}

/** An object created or removed through the front, for bucket notifications. */
export interface ObjectEvent {
  readonly bucket: string;
  /** The key, decoded. */
  readonly key: string;
  /** S3's event name without the `s3:` prefix: `ObjectCreated:Put`, `ObjectRemoved:Delete`, … */
  readonly eventName: string;
  readonly size?: number;
  /** The ETag without quotes. */
  readonly eTag?: string;
  readonly sourceIp: string;
  readonly requestId: string;
  /** Who made the request: `AWS:<access key id>`, or `Anonymous`. */
  readonly principalId: string;
}

export interface S3FrontOptions {
  /** The engine's own endpoint (fauxqs), path-style only. */
  readonly engineEndpoint: string;
  /** Secrets of the access keys pre-signed URLs and POST policies may be signed with. */
  readonly secretOf: SecretLookup;
  /** A bucket's CORS rules and the like; `undefined` for a bucket the front knows nothing about. */
  readonly bucketSettings: (bucket: string) => BucketSettings | undefined;
  /** Told of every object created or removed (after the engine stored it). */
  readonly onObjectEvent?: (event: ObjectEvent) => void;
  /** The largest body the engine accepts (bodies above it are refused with S3's `EntityTooLarge`). */
  readonly maxBodyBytes: number;
  /** Where a failure to announce an object event is reported. */
  readonly log?: (line: string) => void;
}

/** Where a request points: the bucket, and the path the engine (path-style) is asked for. */
interface Address {
  readonly bucket: string;
  /** The key, still percent-encoded as sent (empty for a bucket-level request). */
  readonly rawKey: string;
  readonly enginePath: string;
}

/** `<bucket>.s3.localhost`, `<bucket>.s3.<region>.localhost` and `<bucket>.localhost` name the bucket in the host. */
const VIRTUAL_HOST = /^(.+?)(?:\.s3(?:[.-][a-z0-9-]+)?)?\.localhost$/;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Reads the bucket from the host (virtual-hosted style) or from the first path segment (path style). */
function addressOf(host: string, rawPath: string): Address | undefined {
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const virtual = VIRTUAL_HOST.exec(hostname)?.[1];
  if (virtual && !virtual.startsWith('s3')) {
    return { bucket: virtual, rawKey: rawPath.slice(1), enginePath: `/${virtual}${rawPath}` };
  }
  const [, bucketSegment = '', ...rest] = rawPath.split('/');
  if (!bucketSegment) return undefined;
  return { bucket: decode(bucketSegment), rawKey: rest.join('/'), enginePath: rawPath };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.at(-1) : value;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Which notification event a successful request makes, from its method and query (none for most). */
function eventNameOf(method: string, query: URLSearchParams, headers: IncomingHttpHeaders, rawKey: string) {
  if (!rawKey) {
    if (method === 'POST' && query.has('delete')) return 'ObjectRemoved:Delete';
    return undefined;
  }
  if (method === 'PUT' && !query.has('uploadId') && !query.has('partNumber')) {
    return header(headers, 'x-amz-copy-source') ? 'ObjectCreated:Copy' : 'ObjectCreated:Put';
  }
  if (method === 'POST' && query.has('uploadId')) return 'ObjectCreated:CompleteMultipartUpload';
  if (method === 'DELETE' && !query.has('uploadId')) return 'ObjectRemoved:Delete';
  return undefined;
}

interface EngineAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly response: IncomingMessage;
}

/**
 * The S3 endpoint clients and functions reach: a loopback proxy in front of the engine (fauxqs) that adds what
 * the engine leaves out — virtual-hosted-style addressing on `*.localhost`, SigV4 pre-signed URL verification,
 * POST policy verification, CORS from the bucket's configuration, S3's XML errors with a request id, and the
 * object events bucket notifications are made of. Requests signed in the `Authorization` header are served
 * without checking the signature (the local cloud enforces no IAM); a request with no credentials at all is
 * refused (buckets are private).
 */
export class S3Front {
  private readonly server: LoopbackServer;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly engine: URL;

  constructor(private readonly options: S3FrontOptions) {
    this.engine = new URL(options.engineEndpoint);
    this.server = loopbackServer((req, res) => {
      const requestId = s3RequestId();
      this.handle(req, res, requestId).catch((error: unknown) => {
        const s3Error =
          error instanceof S3Error
            ? error
            : new S3Error(500, 'InternalError', `We encountered an internal error: ${String(error)}`);
        this.sendError(res, s3Error, requestId, header(req.headers, 'origin'), req.method ?? 'GET');
      });
    });
  }

  /** Starts listening; resolves to `http://127.0.0.1:<port>`. */
  listen(port = 0): Promise<string> {
    return this.server.listen(port);
  }

  async close(): Promise<void> {
    await this.server.close();
    this.agent.destroy();
  }

  private sendError(
    res: ServerResponse,
    error: S3Error,
    requestId: string,
    origin: string | undefined,
    method: string,
    bucket?: string,
  ): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const cors = bucket ? corsResponseHeaders(this.options.bucketSettings(bucket)?.cors, origin, method) : {};
    const body = method === 'HEAD' ? '' : s3ErrorXml(error, requestId);
    res.writeHead(error.statusCode, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId(requestId),
      ...cors,
    });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const query = new URLSearchParams(rawQuery);
    const origin = header(req.headers, 'origin');
    const address = addressOf(header(req.headers, 'host') ?? '', rawPath);
    const fail = (error: S3Error) => this.sendError(res, error, requestId, origin, method, address?.bucket);

    if (method === 'OPTIONS') {
      if (!address)
        return fail(
          new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.'),
        );
      const allowed = preflight(this.options.bucketSettings(address.bucket)?.cors, {
        origin,
        method: header(req.headers, 'access-control-request-method'),
        headers: header(req.headers, 'access-control-request-headers'),
      });
      res.writeHead(200, { ...allowed, 'x-amz-request-id': requestId, 'content-length': 0 });
      res.end();
      return;
    }

    const contentType = header(req.headers, 'content-type') ?? '';
    const isPostForm =
      method === 'POST' &&
      address !== undefined &&
      !address.rawKey &&
      /^multipart\/form-data/i.test(contentType);
    let principal = 'Anonymous';
    let body: Buffer | undefined;
    let postedKey: string | undefined;
    if (isPostForm && address) {
      body = await readBody(req, this.options.maxBodyBytes);
      const form = await new Request('http://s3.local/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      }).formData();
      const fields = new Map<string, string>();
      let file: File | undefined;
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') fields.set(name.toLowerCase(), value);
        else if (name.toLowerCase() === 'file') file = value;
      }
      if (!file) {
        throw new S3Error(400, 'InvalidArgument', 'POST requires exactly one file upload per request.', {
          ArgumentName: 'file',
          ArgumentValue: '0',
        });
      }
      postedKey = verifyPostPolicy(
        { bucket: address.bucket, fields, fileSize: file.size, fileName: file.name },
        this.options.secretOf,
      );
      principal = `AWS:${fields.get('x-amz-credential')?.split('/')[0] ?? ''}`;
    } else if (isPresigned(rawQuery)) {
      const accessKeyId = verifyPresignedUrl(
        { method, rawPath, rawQuery, headers: req.headers },
        this.options.secretOf,
      );
      principal = `AWS:${accessKeyId}`;
    } else {
      const authorization = header(req.headers, 'authorization');
      if (!authorization) return fail(accessDenied());
      principal = `AWS:${/Credential=([^/]+)\//.exec(authorization)?.[1] ?? ''}`;
    }

    const declared = Number(header(req.headers, 'content-length') ?? 0);
    if (declared > this.options.maxBodyBytes) {
      return fail(
        new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
          ProposedSize: String(declared),
          MaxSizeAllowed: String(this.options.maxBodyBytes),
        }),
      );
    }
    const enginePath = address?.enginePath ?? rawPath;
    const eventName = isPostForm
      ? 'ObjectCreated:Post'
      : address && eventNameOf(method, query, req.headers, address.rawKey);
    const answer = await this.forward(req, method, `${enginePath}${queryAt < 0 ? '' : `?${rawQuery}`}`, body);
    const cors = address
      ? corsResponseHeaders(this.options.bucketSettings(address.bucket)?.cors, origin, method)
      : {};
    const headers = {
      ...answer.headers,
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId(requestId),
      ...cors,
    };
    const succeeded = answer.status >= 200 && answer.status < 300;
    if (!succeeded && method !== 'HEAD') {
      // The engine's error document, with this request's id in it (as the header says).
      const chunks: Buffer[] = [];
      for await (const chunk of answer.response) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/<RequestId>[^<]*<\/RequestId>/, `<RequestId>${requestId}</RequestId>`)
        .replace(/<HostId>[^<]*<\/HostId>/, `<HostId>${hostId(requestId)}</HostId>`);
      res.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (!eventName || !succeeded || !address) {
      res.writeHead(answer.status, headers);
      answer.response.pipe(res);
      return;
    }
    // The answer of an event-making request is small (XML or empty): read it to know what happened.
    const chunks: Buffer[] = [];
    for await (const chunk of answer.response) chunks.push(chunk as Buffer);
    const answerBody = Buffer.concat(chunks);
    res.writeHead(answer.status, { ...headers, 'content-length': answerBody.length });
    res.end(answerBody);
    const text = answerBody.toString('utf8');
    // CompleteMultipartUpload may fail with 200 and an error document.
    if (text.includes('<Error>')) return;
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const keys =
      eventName === 'ObjectRemoved:Delete' && !address.rawKey
        ? [...text.matchAll(/<Deleted>\s*<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1] ?? ''))
        : [postedKey ?? decode(address.rawKey)];
    for (const key of keys) {
      this.announce({
        bucket: address.bucket,
        key,
        eventName,
        sourceIp,
        requestId,
        principalId: principal,
      }).catch((error: unknown) =>
        this.options.log?.(`${eventName} of s3://${address.bucket}/${key} not announced: ${String(error)}`),
      );
    }
  }

  /** Reads the object's size and ETag from the engine (for created objects) and tells `onObjectEvent`. */
  private async announce(event: ObjectEvent): Promise<void> {
    const notify = this.options.onObjectEvent;
    if (!notify) return;
    if (!event.eventName.startsWith('ObjectCreated')) {
      notify(event);
      return;
    }
    const head = await this.forward(undefined, 'HEAD', `/${event.bucket}/${encodeKey(event.key)}`, undefined);
    head.response.resume();
    if (head.status !== 200) return;
    notify({
      ...event,
      size: Number(head.headers['content-length'] ?? 0),
      eTag: String(head.headers.etag ?? '').replace(/"/g, ''),
    });
  }

  private forward(
    req: IncomingMessage | undefined,
    method: string,
    path: string,
    body: Buffer | undefined,
  ): Promise<EngineAnswer> {
    const headers: IncomingHttpHeaders = { ...(req?.headers ?? {}), host: this.engine.host };
    if (body) headers['content-length'] = String(body.length);
    // The engine never sees the caller's authentication: the front has checked it.
    for (const name of ['authorization', 'origin']) delete headers[name];
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { hostname: this.engine.hostname, port: this.engine.port, method, path, headers, agent: this.agent },
        (response) => resolve({ status: response.statusCode ?? 500, headers: response.headers, response }),
      );
      upstream.on('error', reject);
      if (body || !req) upstream.end(body);
      else req.pipe(upstream);
    });
  }
}

/** A decoded key as a path (each segment percent-encoded, slashes kept). */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}
