import type { APIGatewayProxyResult } from 'aws-lambda';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { errorBody, httpHandler } from '../../shared/http';
import { logger } from '../../shared/logger';
import { lambdaContext, restEvent } from '../support/api-events';

const REQUEST_ID = 'req-0123';

function event() {
  return restEvent({ method: 'GET', resource: '/things', requestId: REQUEST_ID });
}

async function answer(error: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const handler = httpHandler(
    async () => {
      throw error;
    },
    { allowedOrigins: ['https://app.example.com'] },
  );
  const result = (await handler(event(), lambdaContext())) as APIGatewayProxyResult;
  return { status: result.statusCode, body: JSON.parse(result.body) };
}

/** What the shared logger writes while `action` runs, with its level raised from the tests' SILENT. */
async function logLines(action: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: unknown): boolean => {
    written.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  logger.setLogLevel('INFO');
  try {
    await action();
  } finally {
    logger.setLogLevel('SILENT');
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the error mapper', () => {
  it('never lets details replace code, message or request id', () => {
    const error = new ConflictError('order is at version 3', {
      code: 'Spoofed',
      message: 'spoofed message',
      requestId: 'spoofed-id',
      currentVersion: 3,
    });
    expect(errorBody(error, REQUEST_ID)).toEqual({
      statusCode: 409,
      body: { code: 'Conflict', message: 'order is at version 3', requestId: REQUEST_ID, currentVersion: 3 },
    });
  });

  it('answers a domain error with its status, code, message and details', async () => {
    expect(await answer(new NotFoundError("order 'x' not found"))).toEqual({
      status: 404,
      body: { code: 'NotFound', message: "order 'x' not found", requestId: REQUEST_ID },
    });
  });

  it('never sends the cause of a domain error', async () => {
    const cause = new Error('secret internals');
    const response = await answer(new ValidationError('nextToken is invalid', undefined, { cause }));
    expect(response.body).toEqual({
      code: 'ValidationError',
      message: 'nextToken is invalid',
      requestId: REQUEST_ID,
    });
    expect(JSON.stringify(response.body)).not.toContain('secret internals');
  });

  it('answers an unknown error with a generic 500 that carries only the request id', async () => {
    const error = new Error('table users-prod is throttled', {
      cause: new Error('ProvisionedThroughputExceeded'),
    });
    const response = await answer(error);
    expect(response).toEqual({
      status: 500,
      body: { code: 'InternalError', message: 'internal error', requestId: REQUEST_ID },
    });
  });

  it('logs the whole cause chain of a 500, with the request id', async () => {
    const root = new Error('connect ECONNREFUSED 127.0.0.1:8000');
    const middle = new Error('catalog lookup failed', { cause: root });
    const lines = await logLines(() => answer(new Error('pricing failed', { cause: middle })));
    const line = lines.find((entry) => entry.message === 'unhandled error');
    expect(line).toMatchObject({
      level: 'ERROR',
      requestId: REQUEST_ID,
      error: {
        message: 'pricing failed',
        cause: {
          message: 'catalog lookup failed',
          cause: { message: 'connect ECONNREFUSED 127.0.0.1:8000' },
        },
      },
    });
  });

  it('logs a rejected request as info, without an error', async () => {
    const lines = await logLines(() => answer(new NotFoundError('nope')));
    expect(lines.map((entry) => entry.level)).not.toContain('ERROR');
    expect(lines).toContainEqual(expect.objectContaining({ message: 'request rejected', statusCode: 404 }));
  });
});
