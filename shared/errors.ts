/**
 * The one error taxonomy. Domain code throws these; `errorBody` (shared/http.ts) is the only place that
 * turns them into HTTP. Anything else becomes a 500 with a request id and no internals.
 *
 * Every error takes ES2022 `{ cause }`: the error it replaces. The cause is for the logs only (the mapper
 * logs the whole chain of a 500) and is never sent to the client.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /**
   * Extra fields safe to show the client (e.g. the current version on a conflict). They cannot replace
   * `code`, `message` or `requestId` in the response.
   */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'ValidationError';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'Unauthorized';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'Forbidden';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'NotFound';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'Conflict';
}

/** The client's Accept header names no type the route can answer with. */
export class NotAcceptableError extends AppError {
  readonly status = 406;
  readonly code = 'NotAcceptable';
}

export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly code = 'Unprocessable';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'PayloadTooLarge';
}

/** A dependency refused or failed the request; the client may retry (the body says what was kept). */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'ServiceUnavailable';
}
