import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, loopbackServer } from '../loopback-server';

const TEMPLATE_ARN = /(arn:[^:]+:(?:sns|sqs):[^:]*:)\d{12}:/g;
const ENGINE_ARN = /(arn:[^:]+:(?:sns|sqs):[^:]*:)000000000000:/g;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The SNS endpoint functions and clients reach (`AWS_ENDPOINT_URL_SNS`): a loopback proxy in front of the SNS
 * engine (fauxqs, which also serves SQS) that puts the engine's account in every SNS and SQS ARN of a request
 * (the engine keys topics by ARN with its fixed account `000000000000`, while the template's ARNs carry the
 * app's account) and the app's account back into the engine's answers. SNS speaks the query protocol
 * (form-encoded requests, XML answers), so a textual rewrite of ARNs is exact.
 */
export class SnsFront {
  private readonly server: LoopbackServer;
  private engine: string | undefined;
  private account = '000000000000';

  constructor() {
    this.server = loopbackServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>${String(error)}</Message></Error></ErrorResponse>`,
        );
      });
    });
  }

  /** Starts the proxy; resolves to its endpoint. Requests wait for `connect` to name the engine. */
  listen(port = 0): Promise<string> {
    return this.server.listen(port);
  }

  /** Names the engine (known once the SQS service has bound) and the app's account for answers. */
  connect(engineEndpoint: string, account: string): void {
    this.engine = engineEndpoint.replace(/\/+$/, '');
    this.account = account;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.engine) throw new Error('the SNS engine is not started yet');
    const body = (await readBody(req)).toString('utf8');
    // Form-encoded values carry ':' as '%3A'; rewrite the decoded form and encode it again.
    const form = new URLSearchParams(body);
    const rewritten = new URLSearchParams();
    for (const [name, value] of form) rewritten.append(name, value.replace(TEMPLATE_ARN, '$1000000000000:'));
    const answer = await fetch(`${this.engine}${req.url ?? '/'}`, {
      method: req.method ?? 'POST',
      headers: {
        'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      },
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: rewritten.toString() }),
    });
    const text = (await answer.text()).replace(ENGINE_ARN, `$1${this.account}:`);
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
    res.end(text);
  }
}
