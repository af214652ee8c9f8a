import { createHash } from 'node:crypto';
import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { jsonProtocolBody } from '../json-protocol-body';
import { type LoopbackServer, loopbackServer } from '../loopback-server';
import { noteServiceCall } from '../request-records';

/** An SNS ARN as the engine writes it, with its fixed account. */
const ENGINE_TOPIC_ARN = /(arn:[^:]+:sns:[^:]*:)000000000000:/g;

/** Trace headers kept for messages not yet received; the oldest go first past this many. */
const MAX_TRACED_MESSAGES = 100_000;

type Input = Record<string, unknown>;

interface Forwarded {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An answer the front sends instead of forwarding (an IAM refusal). */
export interface FrontAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * Decides whether the caller may make a request (IAM): the answer to send instead, or undefined to serve it.
 * Given the request's headers and URL (who signed it), the operation and its input.
 */
export type SqsRequestAuthorizer = (
  headers: IncomingHttpHeaders,
  url: string,
  operation: string,
  input: Record<string, unknown>,
) => FrontAnswer | undefined;

/** The `AWSTraceHeader` message system attribute of a send request entry, if it sets one. */
function systemTraceHeader(entry: Input | undefined): string | undefined {
  const attributes = entry?.MessageSystemAttributes as Record<string, { StringValue?: unknown }> | undefined;
  const value = attributes?.AWSTraceHeader?.StringValue;
  return typeof value === 'string' ? value : undefined;
}

/**
 * X-Ray trace headers for an SQS engine without them (fauxqs): a loopback proxy in front of the engine that,
 * as SQS does, keeps the trace header a message was sent with — its `AWSTraceHeader` message system attribute,
 * else the request's `X-Amzn-Trace-Id` HTTP header, which covers every message of a SendMessage or
 * SendMessageBatch — and returns it as the `AWSTraceHeader` attribute when a ReceiveMessage asks for it (`All`
 * or by name), so Lambda's SQS records carry `attributes.AWSTraceHeader`. SQS's JSON protocol (the AWS SDK v3's)
 * only; everything else passes through byte for byte, the Host header kept so the engine's queue URLs name
 * this endpoint. Trace headers live in memory: a restart under `--persist` forgets those of queued messages.
 */
export class SqsTraceFront {
  private readonly server: LoopbackServer;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly traces = new Map<string, string>();
  private authorizer: SqsRequestAuthorizer | undefined;

  constructor(private readonly engineEndpoint: string) {
    this.server = loopbackServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: String(error) }));
      });
    });
  }

  /** Sets the check every JSON-protocol request passes before it is forwarded (IAM). */
  setAuthorizer(authorizer: SqsRequestAuthorizer | undefined): void {
    this.authorizer = authorizer;
  }

  /** Starts the proxy; resolves to the endpoint clients use instead of the engine's. */
  listen(port = 0): Promise<string> {
    return this.server.listen(port);
  }

  async close(): Promise<void> {
    await this.server.close();
    this.agent.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    noteServiceCall(req.headers['x-amzn-trace-id'], 'sqs', operation);
    const input = jsonProtocolBody(body);
    const refusal = input ? this.authorizer?.(req.headers, req.url ?? '/', operation, input) : undefined;
    if (refusal) {
      res.writeHead(refusal.status, { ...refusal.headers, 'content-length': String(refusal.body.length) });
      res.end(refusal.body);
      return;
    }
    const answer = await this.forward(req, body);
    const output = answer.status === 200 ? jsonProtocolBody(answer.body) : undefined;
    if (input && output) {
      const headerTrace = req.headers['x-amzn-trace-id'];
      const requestTrace = Array.isArray(headerTrace) ? headerTrace.at(-1) : headerTrace;
      if (operation === 'SendMessage')
        this.remember(output.MessageId, systemTraceHeader(input) ?? requestTrace);
      if (operation === 'SendMessageBatch') {
        const entries = new Map(
          ((input.Entries ?? []) as Input[]).map((entry) => [String(entry?.Id), entry] as const),
        );
        for (const sent of (output.Successful ?? []) as Input[])
          this.remember(sent.MessageId, systemTraceHeader(entries.get(String(sent.Id))) ?? requestTrace);
      }
      const traced =
        operation === 'ReceiveMessage' && this.wantsTraceHeader(input) && this.addTraceHeaders(output);
      const renamed = operation === 'ReceiveMessage' && this.renameTopicAccounts(output);
      if (traced || renamed) answer.body = Buffer.from(JSON.stringify(output));
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }

  /**
   * The app's account, for the SNS notifications the engine (which serves SNS too) writes to subscribed queues:
   * their topic ARNs carry the engine's fixed account, which received bodies get replaced by this one (with
   * the body's MD5, which SDK clients check), so a queue sees the topic ARN the template resolves to.
   */
  appAccount: string | undefined;

  private renameTopicAccounts(output: Input): boolean {
    const account = this.appAccount;
    if (account === undefined) return false;
    let renamed = false;
    for (const message of (output.Messages ?? []) as Input[]) {
      if (typeof message.Body !== 'string' || !message.Body.includes(':000000000000:')) continue;
      const body = message.Body.replace(ENGINE_TOPIC_ARN, `$1${account}:`);
      message.Body = body;
      message.MD5OfBody = createHash('md5').update(body).digest('hex');
      renamed = true;
    }
    return renamed;
  }

  private remember(messageId: unknown, trace: string | undefined): void {
    if (typeof messageId !== 'string' || trace === undefined) return;
    this.traces.set(messageId, trace);
    if (this.traces.size > MAX_TRACED_MESSAGES) {
      const oldest = this.traces.keys().next().value;
      if (oldest !== undefined) this.traces.delete(oldest);
    }
  }

  private wantsTraceHeader(input: Input): boolean {
    const names = [
      ...((input.AttributeNames ?? []) as string[]),
      ...((input.MessageSystemAttributeNames ?? []) as string[]),
    ];
    return names.includes('All') || names.includes('AWSTraceHeader');
  }

  /** Adds the kept trace headers to received messages; true when one was added. */
  private addTraceHeaders(output: Input): boolean {
    let added = false;
    for (const message of (output.Messages ?? []) as Input[]) {
      const trace = this.traces.get(String(message.MessageId));
      if (trace === undefined) continue;
      message.Attributes = { ...((message.Attributes ?? {}) as object), AWSTraceHeader: trace };
      added = true;
    }
    return added;
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<Forwarded> {
    const url = new URL(req.url ?? '/', this.engineEndpoint);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        url,
        {
          method: req.method,
          agent: this.agent,
          headers: { ...req.headers, 'content-length': body.length },
          // Connect to the engine, but keep the caller's Host: the engine names queues after it.
          host: url.hostname,
          port: url.port,
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 500,
              headers: response.headers,
              body: Buffer.concat(parts),
            }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
