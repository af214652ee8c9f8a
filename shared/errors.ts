/**
 * The one error taxonomy. Domain code throws these; `toHttpResponse` (shared/http.ts) is the only
 * place that turns them into HTTP. Anything else becomes a 500 with a request id and no internals.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra fields safe to show the client (e.g. the current version on a conflict). */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
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

export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly code = 'Unprocessable';
}
