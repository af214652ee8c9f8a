import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** An engine's answer, as it came (status, headers, body bytes) with the body parsed when it is JSON. */
export interface EngineAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
  readonly body: Record<string, unknown>;
}

/** DynamoDB's JSON protocol target prefix. */
const TARGET_PREFIX = 'DynamoDB_20120810';

/**
 * Calls to the embedded engine (dynalite) in DynamoDB's own wire JSON, not through an SDK client: items keep
 * their wire shape (binary values stay base64 strings, numbers stay strings), so what the proxy reads is what
 * DynamoDB Streams would carry, and the engine's own errors can be answered unchanged.
 */
export class EngineClient {
  private readonly agent = new Agent({ keepAlive: true });

  constructor(private readonly endpoint: string) {}

  /** Calls one operation with a JSON input (signed with a placeholder: the engine checks only the form). */
  call(operation: string, input: unknown): Promise<EngineAnswer> {
    const body = Buffer.from(JSON.stringify(input));
    return this.send('/', 'POST', body, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `${TARGET_PREFIX}.${operation}`,
      'x-amz-date': '20200101T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
    });
  }

  /** Forwards a client's request byte for byte. */
  forward(path: string, method: string, body: Buffer, headers: IncomingHttpHeaders): Promise<EngineAnswer> {
    return this.send(path, method, body, headers);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(
    path: string,
    method: string,
    body: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<EngineAnswer> {
    const url = new URL(path, this.endpoint);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        url,
        { method, agent: this.agent, headers: { ...headers, host: url.host, 'content-length': body.length } },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () =>
            resolve(engineAnswer(response.statusCode ?? 500, response.headers, Buffer.concat(parts))),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

/**
 * An answer whose body is parsed when first read: most answers (a Query's page, a GetItem's item) are forwarded
 * byte for byte and never looked into, and parsing them was the proxy's largest cost per read.
 */
function engineAnswer(status: number, headers: IncomingHttpHeaders, raw: Buffer): EngineAnswer {
  let parsed: Record<string, unknown> | undefined;
  return {
    status,
    headers,
    raw,
    get body() {
      if (parsed === undefined) {
        try {
          parsed = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          parsed = {}; // Not JSON (the engine's 404 page): the raw bytes are answered as they are.
        }
      }
      return parsed;
    },
  };
}

/** The short error name of an engine answer (`ValidationException`, `ConditionalCheckFailedException`, …). */
export function errorName(answer: EngineAnswer): string {
  return String(answer.body.__type ?? '').split('#')[1] ?? '';
}

/** The message of an engine error answer (DynamoDB uses `message`, some errors `Message`). */
export function errorMessage(answer: EngineAnswer): string {
  return String(answer.body.message ?? answer.body.Message ?? '');
}
