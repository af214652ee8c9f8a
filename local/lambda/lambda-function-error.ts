import { LambdaInvocationError } from '../model';
import type { LambdaErrorPayload } from './worker-protocol';

/**
 * A function error as the local Lambda runtime reports it: a {@link LambdaInvocationError} (so API Gateway
 * emulators answer 502 without knowing this class) that also carries Lambda's error document.
 * For `Unhandled` errors the message is the function's `errorMessage`, which is what integration-response
 * `selectionPattern`s match against.
 */
export class LambdaFunctionError extends LambdaInvocationError {
  constructor(
    message: string,
    errorType: LambdaInvocationError['errorType'],
    /** `{errorType, errorMessage, trace}` as Lambda would return it in the response body. */
    readonly payload: LambdaErrorPayload,
    /** The invocation's request id, or undefined when it failed before a request id was given. */
    readonly requestId?: string,
  ) {
    super(message, errorType);
    this.name = 'LambdaFunctionError';
  }
}
