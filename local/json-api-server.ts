import type { IncomingMessage, ServerResponse } from 'node:http';

/** An AWS JSON-protocol error: its `__type` (what SDK clients turn into the exception's name), status, message. */
export class JsonApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** One operation of a JSON-protocol API: the request's object in, the answer's object out. */
export type JsonOperation = (input: Record<string, unknown>) => Promise<unknown> | unknown;

/**
 * Serves AWS's JSON protocol (`X-Amz-Target: <prefix>.<Operation>`, `application/x-amz-json-1.x`) from tables of
 * operations keyed by target prefix, so several small services can share one listener. An unknown operation is
 * a 400 `UnknownOperationException`; a body that is not a JSON object a 400 `SerializationException`.
 */
export function jsonApiHandler(apis: Readonly<Record<string, Readonly<Record<string, JsonOperation>>>>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix = '', operation = ''] = target.split('.');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    const run = apis[prefix]?.[operation];
    if (!run) {
      reply(400, {
        __type: 'UnknownOperationException',
        message: `${target || '(no X-Amz-Target)'} is not served locally`,
      });
      return;
    }
    let input: unknown;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      input = undefined;
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      reply(400, { __type: 'SerializationException', message: 'the request body is not a JSON object' });
      return;
    }
    try {
      reply(200, (await run(input as Record<string, unknown>)) ?? {});
    } catch (error) {
      if (!(error instanceof JsonApiError)) throw error;
      reply(error.statusCode, { __type: error.type, message: error.message, Message: error.message });
    }
  };
}

/** A required string member of a request, else a 400 naming it. */
export function requiredString(
  input: Record<string, unknown>,
  name: string,
  errorType = 'InvalidParameterException',
): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw new JsonApiError(errorType, `${name} is required and must be a non-empty string`);
  }
  return value;
}
