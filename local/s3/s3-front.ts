import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { S3Request } from '../iam/s3-calls';
import { type LoopbackServer, loopbackServer } from '../loopback-server';
import { type CorsRule, corsResponseHeaders, preflight } from './bucket-cors';
import { objectHeaders, readPostForm } from './post-form';
import { verifyPostPolicy } from './post-policy';
import { isPresigned, type SecretLookup, verifyPresignedUrl } from './presigned-url';
import { accessDenied, escapeXml, hostId, S3Error, s3ErrorXml, s3RequestId } from './s3-errors';

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

/** The engine behind the front, once it runs. */
export interface EngineAddress {
  /** Its own endpoint (fauxqs), path-style only. */
  readonly endpoint: string;
  /** The largest body it accepts (bodies above it are refused with S3's `EntityTooLarge`). */
  readonly maxBodyBytes: number;
}

export interface S3FrontOptions {
  /** Starts the engine on first use (an app without buckets never pays for it), then resolves to it. */
  readonly engine: () => Promise<EngineAddress>;
  /** Secrets of the access keys pre-signed URLs and POST policies may be signed with. */
  readonly secretOf: SecretLookup;
  /** A bucket's CORS rules and the like; `undefined` for a bucket the front knows nothing about. */
  readonly bucketSettings: (bucket: string) => BucketSettings | undefined;
  /** Told of every object created or removed (after the engine stored it). */
  readonly onObjectEvent?: (event: ObjectEvent) => void;
  /** Where a failure to announce an object event is reported. */
  readonly log?: (line: string) => void;
  /**
   * IAM: given the signer's access key and the request, the refusal message (403 AccessDenied), or undefined to
   * serve it. @default every signed request is served
   */
  readonly authorize?: S3Authorizer;
}

/** Decides whether the signer of an S3 request may make it: AWS's AccessDenied message, or undefined. */
export type S3Authorizer = (accessKeyId: string, request: S3Request) => string | undefined;

/** Where a request points: the bucket, and the path the engine (path-style) is asked for. */
export interface Address {
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
export function addressOf(host: string, rawPath: string): Address | undefined {
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const virtual = VIRTUAL_HOST.exec(hostname)?.[1];
  // `s3.localhost` and `s3.<region>.localhost` are the endpoint itself (path style), not a bucket named `s3`.
  if (virtual && !/^s3(\.[a-z0-9-]+)?$/.test(virtual)) {
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

/**
 * Which notification event a successful request makes, from its method and query (none for most): a PUT of a
 * sub-resource (`?tagging`, `?acl`, an upload's part) or an aborted upload makes none.
 */
function eventNameOf(method: string, query: URLSearchParams, headers: IncomingHttpHeaders, rawKey: string) {
  // The SDK's `x-id` and a pre-signed URL's `X-Amz-*` name no sub-resource.
  const subresources = [...query.keys()].filter((name) => name !== 'x-id' && !/^x-amz-/i.test(name));
  const only = (...names: string[]) =>
    subresources.length === names.length && names.every((name) => subresources.includes(name));
  if (!rawKey) return method === 'POST' && only('delete') ? 'ObjectRemoved:Delete' : undefined;
  if (method === 'PUT' && only()) {
    return header(headers, 'x-amz-copy-source') ? 'ObjectCreated:Copy' : 'ObjectCreated:Put';
  }
  if (method === 'POST' && only('uploadId')) return 'ObjectCreated:CompleteMultipartUpload';
  if (method === 'DELETE' && only()) return 'ObjectRemoved:Delete';
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
 * without checking the signature (as the other local services serve them); a request with no credentials at all is
 * refused (buckets are private).
 */
export class S3Front {
  private readonly server: LoopbackServer;
  private readonly agent = new Agent({ keepAlive: true });

  constructor(private readonly options: S3FrontOptions) {
    this.server = loopbackServer((req, res) => {
      const requestId = s3RequestId();
      this.handle(req, res, requestId).catch((error: unknown) => {
        const s3Error =
          error instanceof S3Error
            ? error
            : new S3Error(500, 'InternalError', `We encountered an internal error: ${String(error)}`);
        // With the bucket's CORS headers, so a browser can read why its upload was refused.
        const bucket = addressOf(
          header(req.headers, 'host') ?? '',
          (req.url ?? '/').split('?')[0] ?? '/',
        )?.bucket;
        this.sendError(res, s3Error, requestId, header(req.headers, 'origin'), req.method ?? 'GET', bucket);
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
    if (
      method === 'POST' &&
      address !== undefined &&
      !address.rawKey &&
      /^multipart\/form-data/i.test(contentType)
    ) {
      await this.postUpload(req, res, address.bucket, requestId, origin);
      return;
    }
    let accessKeyId: string;
    if (isPresigned(rawQuery)) {
      accessKeyId = verifyPresignedUrl(
        { method, rawPath, rawQuery, headers: req.headers },
        this.options.secretOf,
      );
    } else {
      const authorization = header(req.headers, 'authorization');
      if (!authorization) return fail(accessDenied());
      accessKeyId = /Credential=([^/]+)\//.exec(authorization)?.[1] ?? '';
    }
    const principal = `AWS:${accessKeyId}`;
    if (address && this.options.authorize) {
      const copySource = header(req.headers, 'x-amz-copy-source');
      const refusal = this.options.authorize(accessKeyId, {
        method,
        bucket: address.bucket,
        ...(address.rawKey ? { key: decode(address.rawKey) } : {}),
        query: Object.fromEntries(query),
        ...(copySource ? { copySource } : {}),
      });
      if (refusal) return fail(new S3Error(403, 'AccessDenied', refusal));
    }

    const { maxBodyBytes } = await this.options.engine();
    const declared = Number(header(req.headers, 'content-length') ?? 0);
    if (declared > maxBodyBytes) {
      return fail(
        new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
          ProposedSize: String(declared),
          MaxSizeAllowed: String(maxBodyBytes),
        }),
      );
    }
    const enginePath = address?.enginePath ?? rawPath;
    const eventName = address && eventNameOf(method, query, req.headers, address.rawKey);
    const answer = await this.forward(method, `${enginePath}${queryAt < 0 ? '' : `?${rawQuery}`}`, { req });
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
      const text = (await readAll(answer.response))
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
    const answerBody = await readAll(answer.response);
    res.writeHead(answer.status, { ...headers, 'content-length': answerBody.length });
    res.end(answerBody);
    const text = answerBody.toString('utf8');
    // CompleteMultipartUpload may fail with 200 and an error document.
    if (text.includes('<Error>')) return;
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const keys =
      eventName === 'ObjectRemoved:Delete' && !address.rawKey
        ? [...text.matchAll(/<Deleted>\s*<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1] ?? ''))
        : [decode(address.rawKey)];
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

  /**
   * A browser-based upload (`POST /<bucket>`, `multipart/form-data`): the form read, the policy verified, and
   * the file stored with a PutObject of the object's headers; answered as S3 answers a POST
   * (`success_action_redirect`, else `success_action_status` 200, 201 with a `PostResponse`, or 204).
   */
  private async postUpload(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    requestId: string,
    origin: string | undefined,
  ): Promise<void> {
    const form = await readPostForm(req, (await this.options.engine()).maxBodyBytes);
    if (!form.file) {
      throw new S3Error(400, 'InvalidArgument', 'POST requires exactly one file upload per request.', {
        ArgumentName: 'file',
        ArgumentValue: '0',
      });
    }
    const key = verifyPostPolicy(
      { bucket, fields: form.fields, fileSize: form.file.data.length, fileName: form.file.name },
      this.options.secretOf,
    );
    const path = `/${bucket}/${encodeKey(key)}`;
    const stored = await this.forward('PUT', path, {
      body: form.file.data,
      headers: objectHeaders(form.fields),
    });
    const answer = await readAll(stored.response);
    if (stored.status !== 200) {
      const error = /<Code>([^<]*)<\/Code>[\s\S]*?<Message>([^<]*)<\/Message>/.exec(answer.toString('utf8'));
      throw new S3Error(
        stored.status,
        error?.[1] ?? 'InternalError',
        error?.[2] ?? 'The object could not be stored.',
      );
    }
    const eTag = String(stored.headers.etag ?? '');
    const location = `http://${header(req.headers, 'host') ?? 'localhost'}${path}`;
    const common = {
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId(requestId),
      etag: eTag,
      location,
      ...corsResponseHeaders(this.options.bucketSettings(bucket)?.cors, origin, 'POST'),
    };
    const redirect = form.fields.get('success_action_redirect') ?? form.fields.get('redirect');
    const status = form.fields.get('success_action_status');
    if (redirect) {
      const target = new URL(redirect);
      target.searchParams.set('bucket', bucket);
      target.searchParams.set('key', key);
      target.searchParams.set('etag', eTag);
      res.writeHead(303, { ...common, location: target.toString(), 'content-length': 0 });
      res.end();
    } else if (status === '201') {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(eTag)}</ETag></PostResponse>`;
      res.writeHead(201, {
        ...common,
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(xml),
      });
      res.end(xml);
    } else {
      res.writeHead(status === '200' ? 200 : 204, { ...common, 'content-length': 0 });
      res.end();
    }
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const principalId = `AWS:${form.fields.get('x-amz-credential')?.split('/')[0] ?? ''}`;
    this.announce({ bucket, key, eventName: 'ObjectCreated:Post', sourceIp, requestId, principalId }).catch(
      (error: unknown) =>
        this.options.log?.(`ObjectCreated:Post of s3://${bucket}/${key} not announced: ${String(error)}`),
    );
  }

  /** Reads the object's size and ETag from the engine (for created objects) and tells `onObjectEvent`. */
  private async announce(event: ObjectEvent): Promise<void> {
    const notify = this.options.onObjectEvent;
    if (!notify) return;
    if (!event.eventName.startsWith('ObjectCreated')) {
      notify(event);
      return;
    }
    const head = await this.forward('HEAD', `/${event.bucket}/${encodeKey(event.key)}`, {});
    head.response.resume();
    if (head.status !== 200) return;
    notify({
      ...event,
      size: Number(head.headers['content-length'] ?? 0),
      eTag: String(head.headers.etag ?? '').replace(/"/g, ''),
    });
  }

  /** Sends a request to the engine: the caller's (streamed, or with `body`), or one of the front's own. */
  private async forward(
    method: string,
    path: string,
    from: { readonly req?: IncomingMessage; readonly body?: Buffer; readonly headers?: IncomingHttpHeaders },
  ): Promise<EngineAnswer> {
    const { req, body } = from;
    const engine = new URL((await this.options.engine()).endpoint);
    const headers: IncomingHttpHeaders = { ...(from.headers ?? req?.headers ?? {}), host: engine.host };
    if (body) headers['content-length'] = String(body.length);
    // The engine never sees the caller's authentication: the front has checked it.
    for (const name of ['authorization', 'origin']) delete headers[name];
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { hostname: engine.hostname, port: engine.port, method, path, headers, agent: this.agent },
        (response) => resolve({ status: response.statusCode ?? 500, headers: response.headers, response }),
      );
      upstream.on('error', reject);
      if (req && !body) req.pipe(upstream);
      else upstream.end(body);
    });
  }
}

/** A whole (small) engine answer. */
async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
